# chatroute's diagnostics in English: each message, label, help and fix
# title of every code, named `crNNN-...` after the code.

## Исходящий канал по умолчанию (CR301-CR303)

cr301-message = у `{ $handle }` два исходящих канала по умолчанию: `{ $first }` и `{ $again }`
cr301-label-second = второй исходящий канал по умолчанию
cr301-label-first = первая отметка здесь
cr301-fix = Убрать второй `default_outgoing`
cr301-help = сотрудник пишет первым с одного номера: оставьте `default_outgoing = true` на одном канале
cr302-message = `{ $handle }` не может писать первым с `{ $id }`: доступ `{ $level }`
cr302-label-mark = отмечен исходящим по умолчанию здесь
cr302-label-level = доступ `{ $level }`
cr302-fix = Дать доступ `read_send`
cr302-help = поставьте level = "read_send" (чтение и отправка) или перенесите отметку на канал, с которого сотрудник может отправлять
cr303-message = `{ $handle }` может отправлять { $count ->
    [one] с { $count } канала
   *[other] с { $count } каналов
}, но исходящий канал по умолчанию не выбран
cr303-label = отправляет с { $channels }
cr303-help = отметьте один: [channels.{ $channel }.access] { $handle } = {"{"} level = "read_send", default_outgoing = true {"}"}

## Назначение ответственного (CR201-CR208)

label-mode-first-responder = режим first_responder (первый ответивший из группы)
cr201-message = `weight` (вес) действует только при распределении по очереди (round_robin)
cr201-label = вес задан здесь
cr201-fix = Убрать вес
cr201-help = уберите вес или поставьте mode = "round_robin"
cr202-message = `after_close` (пункт 3.1) действует только при распределении по очереди (round_robin)
cr202-label = задано здесь
cr202-fix = Убрать `after_close`
cr202-help = уберите `after_close`: в режиме first_responder сообщение после закрытой сделки всегда создаёт новую сделку
cr203-message = в назначении нет ни одного участника
cr203-label = у новых сделок не будет ответственного
cr203-help = перечислите хотя бы одного сотрудника: members = [{"{"} employee = "bruce" {"}"}]
cr204-message = `{ $handle }` получает новые сделки в `{ $id }`, но доступ там `{ $level }`
cr204-label-member = участник назначения
cr204-label-level = у `{ $handle }` доступ `{ $level }` к `{ $id }`
cr204-fix = Дать `{ $handle }` доступ `read_send`
cr204-help-keep-own = чтобы оставить `{ $handle }` доступ `{ $level }` к `{ $id }`, уберите сотрудника из назначения этого канала
cr204-help-keep = чтобы оставить `{ $handle }` доступ `{ $level }` к `{ $id }`, дайте каналу своё назначение без этого сотрудника ([channels.{ $id }.assignment])
cr204-help-send = дайте `{ $handle }` чтение и отправку в `{ $id }`: [channels.{ $id }.access] { $handle } = "read_send"
cr204-help-keep-first = { $keep }; или, если сотрудник должен там отвечать, { $send }
cr204-help-send-first = { $send }; или, { $keep }
cr205-message = у новых сделок канала `{ $id }` нет ответственного
cr205-label = включённый канал без назначения ответственного
cr205-help = добавьте общее [assignment] или таблицу [channels.{ $id }.assignment]
cr206-message = веса в сумме дают { $cycle } { $cycle ->
    [one] сделку
    [few] сделки
   *[other] сделок
} за цикл; предел { $limit }
cr206-label = { $cycle } { $cycle ->
    [one] сделка
    [few] сделки
   *[other] сделок
} за цикл
cr206-help = веса задают пропорцию: разделите их на общий делитель
cr207-message = `when_nobody = "{ $when }"` здесь никогда не срабатывает
cr207-label = здесь никого не пропускают
cr207-help = поставьте `skip_unavailable = true` или `max_open` участнику, либо уберите `when_nobody`
cr208-message = `assign_anyway` ничего не меняет без `skip_unavailable`
cr208-label = здесь пропускает только `max_open`, а предел никогда не превышается
cr208-help = поставьте `skip_unavailable = true` или напишите `when_nobody = "unassigned"`

## Версия, каналы и их адреса (CR015, CR601-CR610)

list-or = {" "}или{" "}
label-transport = транспорт { $transport }
cr015-message = версия спецификации { $version } не поддерживается
cr015-label = этот chatroute читает версию { $supported }
cr015-help = напишите version = { $supported } или обновите chatroute
cr608-message = интеграция включена, но ни один канал не включён
cr608-label = нет канала с enabled = true
cr608-help = включите канал (пункт 1, «Каналы в этой интеграции») или поставьте [integration] enabled = false
missing-address-message = у канала { $transport } `{ $id }` нет { $allowed }
missing-address-label = каналам { $transport } нужен { $allowed }
cr601-help = добавьте номер канала: phone = "+7 999 000-00-01"
cr603-help-telegram = добавьте имя бота: handle = "@acme_shop_bot"
cr603-help = добавьте имя аккаунта: handle = "@acme.art"
cr609-help = добавьте id канала, который показывает Wazzup: id = "212345678"
cr604-message-instagram = `{ $value }` — не имя аккаунта Instagram
cr604-help-instagram = имена выглядят как "@acme.art": без пробелов, без точки в начале и в конце, без `..`
cr604-message-telegram = `{ $value }` — не имя бота Telegram
cr604-help-telegram = имена ботов выглядят как "@acme_shop_bot"
cr604-message-tgapi = `{ $value }` — не имя пользователя Telegram
cr604-help-tgapi = имена пользователей выглядят как "@ivan_petrov"
cr610-message = `{ $value }` — не id канала { $transport }
cr610-help = скопируйте id из списка каналов в Wazzup (или `chatroute wazzup pull`)
rule-instagram-handle = 1-30 букв, цифр, `.` или `_`, можно с `@` в начале
rule-telegram-bot = имя бота: 5-32 буквы, цифры или `_`, начинается с буквы, кончается на `bot`
rule-telegram-user = 5-32 буквы, цифры или `_`, начинается с буквы, можно с `@` в начале
rule-vk-id = числовой id сообщества, например 212345678
rule-avito-id = числовой id пользователя, например 123456789
rule-wazzup-id = 1-64 буквы, цифры, `_` или `-`, как показывает Wazzup
cr605-message = у каналов { $transport } нет `{ $key }`
cr605-label = `{ $key }` { $why }
cr605-label-foreign = — адрес другого транспорта
cr605-label-second = — второй адрес, а у канала он один
cr605-help = запишите адрес канала как { $allowed } или исправьте `transport`

## Подсказки

did-you-mean = может быть, `{ $suggestion }`?
fix-change-to = Заменить на `{ $suggestion }`

## Этап новых сделок (CR501-CR503)

cr501-message = новые сделки не могут начинаться в «Неразобранном» (`{ $stage }`)
cr501-label = этап «Неразобранное»
cr501-help = выберите рабочий этап, например «Новый лид»: виджет для того и нужен, чтобы не работать с неразобранным
cr502-message = новые сделки не могут начинаться в закрытом этапе (`{ $stage }`)
cr502-label = закрытый этап (успешно 142 / не реализовано 143)
cr502-help = выберите открытый этап, например «Новый лид»
cr503-message = для новых сделок канала `{ $id }` не заданы воронка и этап
cr503-label = включённый канал без `new_deals`
cr503-help = задайте [defaults] new_deals = {"{"} pipeline = "Sales", stage = "New lead" {"}"} или `new_deals` в [channels.{ $id }]

## Глобальный чат (CR401, CR402)

role-round-robin-member = участник распределения по очереди
role-first-responder = участник группы «первый ответивший»
cr401-message = администраторы чата бывают только при видимости `own_and_unassigned` («только свои и диалоги без ответственного»)
cr401-label-admins = администраторы перечислены здесь
cr401-label-visibility = все и так видят все диалоги
cr401-help = уберите `admins` или поставьте visibility = "own_and_unassigned"
cr402-message = администратор чата `{ $admin }` также { $role }
cr402-label = администратор чата
cr402-help = администратор видит все диалоги и не может следить за своими: оставьте администраторов наблюдателями или уберите их из назначения

## Номера телефонов (CR602, CR606, CR607)

cr602-message = `{ $value }` — не номер телефона
cr602-label = не международный номер
cr602-help = запишите номер в международном формате, например "{ $meant }"
cr602-help-digits = проверьте цифры: в libphonenumber такого номера нет
cr606-message = `{ $region }` — не код региона ISO 3166-1 alpha-2
cr606-label = неизвестный регион
cr606-help = две заглавные латинские буквы, например "RU", "KZ", "JP"
cr607-message = клиенты из { $region } (+{ $code }) могут писать номера с 8, и замена 8 на +7 их испортит
cr607-label = преобразование включено
cr607-help = поставьте to_international = false, если эти клиенты пишут номера без `+`

## Размер таблицы (CR016)

cr016-message = таблица маршрутизации может занять { $size } МиБ; среда выполнения загружает не больше { $limit } МиБ
cr016-label = сотрудников: { $employees }, каналов: { $channels }
cr016-label-defaults = уровень каждого сотрудника на каждом канале
cr016-help = дайте доступ к каналу тем, кто в нём работает, вместо общего уровня, или разделите аккаунт

## Рабочее время (CR901-CR909) и передача сделок (CR209-CR214)

label-here = здесь
unreadable-not-an-interval = интервал пишется `ЧЧ:ММ-ЧЧ:ММ`, например "09:00-18:00"
unreadable-not-a-time = `{ $text }` — не время `ЧЧ:ММ` от 00:00 до 24:00
unreadable-starts-at-24 = интервал не может начинаться в 24:00; начните его в 00:00
unreadable-empty = интервал начинается и кончается в одно и то же время
unreadable-not-a-day = `{ $text }` — не день недели: mon, tue, wed, thu, fri, sat, sun
unreadable-backwards = диапазон дней идёт от понедельника к воскресенью: `{ $from }-{ $to }`
unreadable-not-a-date = `{ $text }` — не дата `ГГГГ-ММ-ДД`
unreadable-not-a-duration = `{ $text }` — не длительность: целое число и s, m или h, например "15m"
unreadable-duration-out-of-range = `{ $text }` вне пределов от 1 с до 30 дней
cr901-message = `{ $zone }` — не часовой пояс базы IANA
cr901-label = неизвестный пояс
cr901-help = пишите пояс как Область/Город, например "Europe/Moscow", "Asia/Almaty", "Asia/Tokyo"
cr909-message = у расписания `{ $name }` нет часового пояса
cr909-label = часы какого пояса?
cr909-help = задайте `timezone = "Europe/Moscow"` в [integration] (для всех расписаний) или в этом расписании
cr902-message = неверный интервал в `{ $name }`: { $why }
cr902-help = пишите интервалы как "ЧЧ:ММ-ЧЧ:ММ", например "09:00-18:00"; "20:00-08:00" переходит через полночь
cr903-message-day = неверный день в `{ $name }`: { $why }
cr903-help-day = назовите день (mon, tue, wed, thu, fri, sat, sun) или диапазон от понедельника к воскресенью (mon-fri)
cr903-message-date = неверная дата в `{ $name }`: { $why }
cr903-help-date = пишите нерабочие даты как "ГГГГ-ММ-ДД", например "2027-01-01"
cr905-message = `{ $handle }` работает по расписанию `{ $name }`, которого нет
cr905-label = нет таблицы [schedules] с таким именем
cr905-help = опишите [schedules.{ $name }] или назовите одно из описанных расписаний
cr906-message = расписание `{ $name }` никогда не бывает открыто
cr906-label = ни у одного дня нет часов
cr906-help = задайте дни и часы, например mon-fri = "09:00-18:00"; иначе сотрудники с этим расписанием никогда не получат сделку
cr907-message = ни один сотрудник не работает по расписанию `{ $name }`
cr907-label = описано здесь
cr907-help = поставьте `schedule = "{ $name }"` сотрудникам, для которых оно, или удалите его
cr908-message-some = рабочее время `{ $handle }` действует не во всех назначениях с этим сотрудником
cr908-message-none = расписание `{ $handle }` ничего не меняет: ни одно назначение с этим сотрудником не пропускает недоступных
cr908-label-hours = рабочее время задано здесь
cr908-label-some = сделки отсюда приходят сотруднику и в нерабочее время: недоступных здесь не пропускают
cr908-label-none = это назначение никогда не пропускает недоступных
cr908-help-some = поставьте `skip_unavailable = true` в этом назначении или уберите там `skip_unavailable = false`, чтобы действовало [assignment]
cr908-help-none = поставьте `skip_unavailable = true` в назначении, чтобы сделки ждали рабочего времени, или удалите расписание
cr904-message = интервалы `{ $name }` пересекаются в { $day }
cr904-label-this = этот интервал
cr904-label-other = пересекается с этим
cr904-help = часы — объединение обоих интервалов; чтобы так и написать, слейте их в один
cr209-message = `returning_clients` действует только при распределении по очереди (round_robin)
cr209-help = уберите его: в режиме first_responder сделка достаётся первому ответившему, в том числе её владельцу
cr210-message = неверный `reassign_after`: { $why }
cr210-help = целое число и единица: "90s", "15m", "2h"
cr211-message = сделки передаются другому после { $seconds } с без ответа
cr211-label = меньше минуты
cr211-help = менеджер редко отвечает за минуту; обычно ставят "15m" (секунды — для тестов)
cr212-message = `reassign_after` действует только при распределении по очереди (round_robin)
cr212-help = уберите его: у сделки режима first_responder нет ответственного, пока кто-нибудь не ответит, так что передавать её не от кого
cr213-message = `reassign_after` при единственном участнике ничего не меняет
cr213-label = сделку некому передать
cr213-help = добавьте участников или уберите `reassign_after`
cr214-message = `max_reassignments` без `reassign_after` ничего не меняет
cr214-help = поставьте `reassign_after = "15m"`, чтобы передавать сделки без ответа, или уберите `max_reassignments`

## Сотрудники и идентификаторы (CR014 для id, CR101-CR104)

cr014-message-id = id amoCRM больше 2^53 - 1 (9007199254740991)
cr014-label-id = таких больших id в amoCRM не бывает
cr014-help-id = проверьте id в amoCRM; id больше 2^53 - 1 меняются при чтении как числа JSON (JavaScript)
cr101-message-member = неизвестный сотрудник `{ $handle }` среди участников назначения
cr101-message-access = неизвестный сотрудник `{ $handle }` в настройках доступа
cr101-message-admin = неизвестный сотрудник `{ $handle }` среди администраторов чата
cr101-label = такого имени нет в [employees]
cr101-help = добавьте `{ $handle }` в [employees] или укажите существующего сотрудника
cr102-message-handle = `everyone` не может быть именем сотрудника
cr102-label-handle = зарезервировано для доступа всех сотрудников
cr102-help-handle = переименуйте сотрудника, например в `everyone_1`; `everyone` в таблице доступа означает всех сотрудников
cr102-message-member = `everyone` не может быть участником назначения
cr102-message-admin = `everyone` не может быть администратором чата
cr102-label = `everyone` бывает только ключом таблиц доступа
cr102-help = перечислите сотрудников по одному
cr103-message-member = `{ $handle }` указан в назначении дважды
cr103-help-member = уберите одну запись; чтобы давать участнику больше сделок, увеличьте его `weight` (вес)
cr103-message-admin = `{ $handle }` указан среди администраторов чата дважды
cr103-help-admin = уберите одну запись
cr103-label-again = повторно указан здесь
cr103-label-first = впервые указан здесь
cr104-message-handle = в имени сотрудника `{ $id }` недопустимые символы
cr104-message-channel = в id канала `{ $id }` недопустимые символы
cr104-label = от 1 до { $max } латинских букв, цифр, `_`, `-`, `.`; начинается с буквы или цифры
cr104-help = id становятся ключами состояния и попадают в журналы CI: переименуйте, например в `wa-retail`
cr104-message-account = аккаунт `{ $account }` — не поддомен amoCRM
cr104-label-account = только строчные латинские буквы, цифры и дефисы
cr104-help-account = напишите только поддомен: `acme` из `acme.amocrm.ru`

## Аккаунт Wazzup (CR801-CR805)

label-not-listed = здесь не перечислены
cr801-message = канала `{ $id }` нет в аккаунте Wazzup
cr801-label = ни у одного канала { $transport } аккаунта нет такого адреса
cr801-help-none = в аккаунте нет канала { $transport }: подключите его в Wazzup и снова получите снимок
cr801-help = каналы { $transport } аккаунта: { $channels }
cr802-message = канал `{ $id }` в Wazzup — канал { $theirs }, а не { $ours }
cr802-label = Wazzup говорит `{ $theirs }`
cr802-label-address = этот адрес
cr802-help = напишите transport = "{ $theirs }"
cr803-message = канал `{ $id }` в Wazzup в состоянии `{ $state }`: его сообщения не приходят
cr803-label = состояние `{ $state }`
cr804-message = { $count ->
    [one] { $count } канал аккаунта Wazzup не указан
    [few] { $count } канала аккаунта Wazzup не указаны
   *[other] { $count } каналов аккаунта Wazzup не указаны
} в спецификации: { $channels }
cr804-help = добавьте их как каналы (`enabled = false` оставляет канал вне интеграции); `chatroute init --wazzup` выписывает их все
cr805-message-twice = канал `{ $id }` получает channelId Wazzup `{ $wazzup_id }`, который есть и у канала `{ $first }`
cr805-message-spec = канал `{ $id }` получает channelId Wazzup `{ $wazzup_id }`, совпадающий с id канала спецификации
cr805-label = найден в снимке здесь
cr805-help = получите снимок заново (chatroute wazzup pull); канал спецификации с таким id переименуйте
wazzup-state-init = канал запускается; подождите минуту и получите снимок заново
wazzup-state-disabled = канал выключен в Wazzup (убран из подписки); включите его там или поставьте `enabled = false`
wazzup-state-phone-unavailable = у Wazzup нет связи с телефоном; проверьте, что он включён и в сети
wazzup-state-qr = нужно отсканировать QR-код: откройте канал в Wazzup и отсканируйте код телефоном канала
wazzup-state-open-elsewhere = канал авторизован в другом аккаунте Wazzup; выйдите из него там
wazzup-state-not-enough-money = канал не оплачен; пополните баланс Wazzup
wazzup-state-foreign-phone = QR-код отсканирован с другого номера; отсканируйте его телефоном самого канала
wazzup-state-unauthorized = аккаунт не авторизован; войдите в него в Wazzup снова
wazzup-state-wait-for-password = Wazzup ждёт пароль двухфакторной защиты; введите его в Wazzup
wazzup-state-unknown = это состояние chatroute не знает; посмотрите канал в Wazzup

## Аккаунт amoCRM (CR701-CR712; CR501 и CR502 по типу этапа)

cr701-message = воронки `{ $pipeline }` нет в аккаунте `{ $account }`
cr701-label = нет такой воронки
cr701-help = воронки аккаунта: { $known }
cr702-message = в воронке `{ $pipeline }` нет этапа `{ $stage }`
cr702-label = в этой воронке нет такого этапа
cr702-help = этапы `{ $pipeline }`: { $known }
cr703-message-pipeline = несколько воронок называются `{ $name }`
cr703-label-pipeline = воронки { $ids }
cr703-help-pipeline = укажите id воронки вместо названия
cr703-message-stage = в `{ $pipeline }` несколько этапов называются `{ $name }`
cr703-label-stage = этапы { $ids }
cr703-help-stage = укажите id этапа вместо названия
cr704-message = этап { $stage } принадлежит воронке `{ $owner }`, а не `{ $pipeline }`
cr704-label-stage = этап воронки `{ $owner }`
cr704-label-pipeline = воронка `{ $pipeline }`
cr704-help = в amoCRM у каждой воронки свои этапы: укажите воронку, которой принадлежит этап, или этап этой воронки
cr705-message = в аккаунте `{ $account }` нет пользователя { $id }
cr705-label = нет пользователя с таким id
cr705-help = скопируйте id из amoCRM (Настройки -> Пользователи) или уберите `crm_user`, чтобы искать по имени или почте
cr706-message = нет пользователя amoCRM с именем `{ $name }` или с такой почтой
cr706-label = не совпадает ни с одним пользователем аккаунта
cr706-help = напишите `crm_user = <id>`, или имя точно как в amoCRM, или `email`
cr707-message = { $count ->
    [one] { $count } пользователь amoCRM подходит
    [few] { $count } пользователя amoCRM подходят
   *[other] { $count } пользователей amoCRM подходят
} под `{ $name }`: { $ids }
cr707-label = подходят несколько пользователей
cr707-help = напишите `crm_user = <id>`, чтобы выбрать одного
cr708-message = `{ $handle }` — пользователь amoCRM { $id } ({ $name }), он деактивирован
cr708-label = неактивен в amoCRM
cr708-help = сделки и диалоги деактивированного пользователя остаются без ответа: удалите сотрудника или активируйте пользователя
cr709-message = { $count ->
    [one] { $count } активный пользователь amoCRM не указан
    [few] { $count } активных пользователя amoCRM не указаны
   *[other] { $count } активных пользователей amoCRM не указаны
} в спецификации: { $users }
cr709-help = добавьте их как сотрудников, если они должны читать диалоги или отвечать (затем «Обновить данные из amoCRM»: chatroute crm pull)
cr710-message = { $count ->
    [one] { $count } номер контактов — верный иностранный номер, который изменит
    [few] { $count } номера контактов — верные иностранные номера, которые изменит
   *[other] { $count } номеров контактов — верные иностранные номера, которые изменит
} замена 8 на +7: { $examples }
cr710-help = эти клиенты записали код страны без `+`; поставьте to_international = false или исправьте номера в amoCRM
cr711-message = снимок сделан с аккаунта `{ $snapshot }`, а спецификация — для `{ $spec }`
cr711-label = снимок: `{ $snapshot }`
cr711-help = получите снимок этого аккаунта: chatroute crm pull --account { $spec } -o ...
cr712-message = воронка `{ $pipeline }` ({ $id }) в аккаунте `{ $account }` в архиве
cr712-label = в архиве: новые сделки не принимает
cr712-help = выберите активную воронку или восстановите эту в amoCRM (Настройки -> Воронки)
cr501-message-crm = `{ $stage }` — этап «Неразобранное» воронки `{ $pipeline }` (тип статуса amoCRM 1)
cr501-label-crm = статус { $id }, тип 1: «Неразобранное»
cr501-help-crm = выберите рабочий этап, например первый открытый этап воронки
cr502-message-crm = `{ $stage }` — закрытый этап воронки `{ $pipeline }` (статус { $id })
cr502-label-crm = успешно (142) или не реализовано (143)
cr502-help-crm = выберите открытый этап

## Файл и его TOML (CR001-CR003, CR014 для целых чисел)

cr001-message = синтаксическая ошибка TOML: { $message }
cr001-help = синтаксис описан на { $spec }
cr001-message-unclosed = синтаксическая ошибка TOML: незакрытая `{ $open }`: { $what } не заканчивается
cr001-label-open = эта `{ $open }` нигде не закрыта
cr001-label-close = здесь ожидалась `{ $close }`
cr001-help-unclosed = добавьте `{ $close }` после `{ $after }`, и { $what } закончится
cr001-no-digits = после префикса целого числа нужны цифры
cr001-not-a-digit = `{ $bad }` — не цифра этого числа (целые числа TOML пишутся цифрами ASCII)
toml-inline-table = встроенная таблица
toml-table-header = заголовок таблицы
toml-array = массив
toml-multi-line-string = многострочная строка
toml-string = строка
cr002-message-nul = в файле есть байт NUL; похоже на двоичные данные
cr002-label-nul = байт NUL здесь
cr002-help-nul = спецификация — текстовый файл TOML в UTF-8
cr002-message = неверный UTF-8 в байте { $at }
cr002-label = не UTF-8
cr002-help = сохраните файл в UTF-8 (файлы TOML всегда в UTF-8)
cr003-message = файл больше { $limit } байт, предела для спецификаций
cr003-label = начало файла
cr003-help = разделите спецификацию аккаунта или проверьте, тот ли это файл
cr014-message-integer = целое число `{ $written }` вне диапазона TOML
cr014-label-integer = целые числа TOML — 64-битные со знаком
cr014-help-integer = целые числа TOML лежат от -9223372036854775808 до 9223372036854775807

## Схема (CR010-CR014)

top-level = верхний уровень
see-schema = см. `chatroute schema`
type-table = таблица
type-array = массив
type-string = строка
type-integer = целое число
type-number = число
type-boolean = логическое значение
type-float = дробное число
type-nothing = ничего
type-value = значение
cr010-message = неизвестный ключ `{ $key }` в { $path }
cr010-label = chatroute не знает здесь такого ключа
cr010-help = здесь допустимы ключи: { $allowed }
cr011-message = нет обязательного ключа `{ $key }` в { $path }
cr011-label = { $path } нужен `{ $key }`
cr011-label-file = в этом файле
cr012-message = { $path } — ожидается { $expected }, а найдено: { $found }
cr012-label = это { $found }
cr012-help = напишите здесь { $expected }
cr012-message-unusable = { $path } нельзя использовать: { $why }
cr012-label-unusable = значение не того типа
cr012-help-unusable = что здесь пишется, показывает `chatroute schema`
cr013-message = `{ $value }` — недопустимое значение для { $path }
cr013-label = ожидается одно из: { $listed }
cr013-help = допустимые значения: { $listed }
cr014-message = { $path }: { $problem }
cr014-label = вне допустимого диапазона
constraint-minimum = должно быть не меньше { $limit }, а найдено { $found }
constraint-maximum = должно быть не больше { $limit }, а найдено { $found }
constraint-min-length = { $limit ->
    [one] нужен хотя бы { $limit } символ
    [few] нужно хотя бы { $limit } символа
   *[other] нужно хотя бы { $limit } символов
}
constraint-min-items = { $limit ->
    [one] нужен хотя бы { $limit } элемент
    [few] нужно хотя бы { $limit } элемента
   *[other] нужно хотя бы { $limit } элементов
}

## Рабочее время словами (подсказки, отчёт)

never-open = никогда не открыто
days-off = выходные { $dates }
day-mon = пн
day-tue = вт
day-wed = ср
day-thu = чт
day-fri = пт
day-sat = сб
day-sun = вс

## Комментарии начальной спецификации (`chatroute init`)

init-schema = Схема рядом с этим файлом даёт редакторам подсказки и проверки на ходу
    (её пишет `chatroute init -o ФАЙЛ`; и `chatroute schema > { $file }` тоже).
init-intro = Спецификация chatroute: как каналы мессенджеров попадают в amoCRM. Проверяйте
    файл (`chatroute check`) после каждого изменения; `chatroute explain КОД` объясняет любую диагностику.
init-account = поддомен amoCRM
init-timezone = часовой пояс рабочего времени и часов и суток дублирования диалога
init-schedules = Рабочее время: сотрудник с `schedule = "office"` вне этих часов считается недоступным.
init-employees = имя -> сотрудник; crm_user — id пользователя amoCRM
init-new-deals = Воронка/этап для новых сделок: не «Неразобранное» и не закрытый этап.
init-access = доступ каждого сотрудника к каждому каналу, если не сказано иное
init-assignment = назначение ответственного; у канала может быть своё
init-mode = распределение по очереди; или "first_responder" — первый ответивший из группы
init-after-close = пункт 3.1: создать новую сделку; или "append_to_last_closed" — в последнюю закрытую
init-skip-unavailable = пропускать недоступных и тех, у кого нерабочее время
init-when-nobody = или "unassigned": сделка ждёт в глобальном чате
init-returning-clients = клиент, написавший снова, идёт к своему ответственному
init-reassign-after = нет ответа 15 минут: сделка переходит следующему
init-member-weight = Участник {"{"} employee = "...", weight = 2 {"}"} получает две сделки за круг (вес); max_open = 20 ограничивает открытые сделки.
init-one-channel = Для начала один канал: замените номер своим номером WhatsApp.
init-channel-stage = свой этап новых сделок для этого канала
init-read-only = только чтение: видит диалоги, не отвечает
init-default-outgoing = исходящий канал по умолчанию: пишет первым отсюда
init-channel-assignment = Своё назначение ответственного для этого канала вместо [assignment]:
init-visibility = только свои и диалоги без ответственного; или "all" — всем все диалоги
init-admins = администраторы чата видят всё (только при own_and_unassigned)
init-to-international = преобразование 8XXXXXXXXXX -> +7XXXXXXXXXX; выключите, если клиенты из Азии пишут без +
init-client-regions = откуда пишут клиенты (предупреждает, где преобразование ошибётся)
init-unknown-transport = канал Wazzup { $channel }: такого транспорта chatroute не знает
init-wazzup-state = состояние в Wazzup: { $state }

## Изменение маршрутизации в Markdown (`diff --format markdown`)

md-routing-changes = Изменения маршрутизации
md-no-change = Маршрутизация не меняется.
md-count = { $count ->
    [one] { $count } изменение маршрутизации.
    [few] { $count } изменения маршрутизации.
   *[other] { $count } изменений маршрутизации.
}
md-channel-heading = Канал { $id } ({ $name })
md-shares-header = | участник | доля до | доля после |
md-access = Доступ сотрудников к каналам
md-access-header = | сотрудник | канал | до | после |
md-employees = Сотрудники
md-integration = Интеграция
md-added = добавлено:
md-removed = убрано:
md-changed = изменено:
md-first-responder = первый ответивший
md-of-employee = { $what } сотрудника { $handle }
what-member = участник { $handle }
what-weight-of = вес { $handle }
what-access-on = доступ к { $channel }
what-name = название
what-address = адрес
what-new-deals = воронка/этап новых сделок
what-assignment-mode = назначение ответственного
what-member-order = порядок участников
what-after-close = после закрытия сделки (пункт 3.1)
what-employee = сотрудник
what-default-outgoing = исходящий канал по умолчанию
what-account = аккаунт
what-enabled = интеграция включена
what-channel = канал
what-global-chat-visibility = что видно в глобальном чате
what-chat-admins = администраторы чата
what-dialog-copy = дублирование диалога в карточку сделки
what-phones-to-international = преобразование номеров в международный формат

## Снимки аккаунтов

crm-snapshot-malformed = не удаётся прочитать снимок amoCRM: { $why }
crm-snapshot-not-one = этот файл — не снимок amoCRM chatroute (см. `chatroute crm pull`)
snapshot-version = версия формата снимка { $found }; этот chatroute читает версию { $supported }: получите снимок заново
wazzup-snapshot-malformed = не удаётся прочитать снимок Wazzup: { $why }
wazzup-snapshot-not-one = этот файл — не снимок Wazzup chatroute (см. `chatroute wazzup pull`)
wazzup-snapshot-version = версия формата снимка Wazzup { $found }; этот chatroute читает версию { $supported }: получите снимок заново

## Строка совета в форматах с одним текстом на диагностику (SARIF, GitHub, редакторы)

help-line = совет: { $help }

## Изменение маршрутизации для терминала (`diff`)

diff-channel = канал { $id }
diff-employee = сотрудник { $handle }
diff-integration = интеграция
diff-included = (включён)
diff-excluded = (исключён)
diff-count = { $count ->
    [one] { $count } изменение маршрутизации
    [few] { $count } изменения маршрутизации
   *[other] { $count } изменений маршрутизации
}

## Что ожидал парсер TOML (его собственные фразы — в toml.ftl)

toml-expected = ожидается { $items }
