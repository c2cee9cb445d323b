# Страница отчёта по-русски, словами меню настроек виджета.

title = chatroute: маршрутизация { $account }
title-with-errors = chatroute: маршрутизация спецификации с ошибками
errors = Ошибки
other-warnings = Прочие предупреждения
fix-errors-first = Исправьте ошибки выше, чтобы увидеть маршрутизацию.
routing-of = Маршрутизация { $account }
summary = { $channels ->
    [one] { $channels } канал
    [few] { $channels } канала
   *[other] { $channels } каналов
}, { $employees ->
    [one] { $employees } сотрудник
    [few] { $employees } сотрудника
   *[other] { $employees } сотрудников
}; { $disabled ->
    [yes] интеграция выключена;{" "}
   *[no] {""}
}{ $errors ->
    [one] { $errors } ошибка
    [few] { $errors } ошибки
   *[other] { $errors } ошибок
}, { $warnings ->
    [one] { $warnings } предупреждение
    [few] { $warnings } предупреждения
   *[other] { $warnings } предупреждений
}
spec-with-errors = Спецификация с ошибками
line = строка { $place }
help = совет: { $help }
channels = Каналы в этой интеграции
wazzup-other-transport = под транспортом { $transport }
wazzup-missing = нет в аккаунте Wazzup
transport = транспорт
address = адрес
in-integration = в интеграции
yes = да
no = нет
no-excluded = нет (исключён)
new-deals = воронка/этап новых сделок
responsible = ответственный
stage-with-ids = { $pipeline } / { $stage } (id в amoCRM { $pipeline_id } / { $stage_id })
mode-round-robin = распределение по очереди, по весу
mode-first-responder = первый ответивший из группы
skips-unavailable = недоступных пропускают
when-nobody = когда некому: { $when }
returning-to-owner = вернувшийся клиент идёт к своему ответственному
reassign = без ответа { $after }: передаётся следующему (не больше { $times ->
    [one] { $times } раза
   *[other] { $times } раз
})
member = участник
share = доля новых сделок
max-open = открытых сделок не больше
working-hours = рабочее время
first-to-answer = первому ответившему
hours-not-applied = (здесь не действует: недоступных не пропускают)
always = всегда
level-read-send = чтение и отправка
level-read = только чтение
who-may-read = Доступ сотрудников к каналам
star-marks = ★ — исходящий канал по умолчанию: с него сотрудник пишет первым.
employee = сотрудник
shared-chat-cards-phones = Глобальный чат, карточки сделок, телефоны
global-chat-shows = в глобальном чате видны
visibility-all = всем менеджерам все диалоги (каналов, которые каждый может читать)
visibility-own = только свои и диалоги без ответственного
chat-admins = администраторы чата (видят всё)
copy-dialog = дублирование диалога в карточку сделки
copy-each-message = каждое сообщение отдельно (each_message)
copy-hourly = все сообщения за час (hourly)
copy-daily = все сообщения за сутки (daily)
copy-off = не добавлять (off)
to-international = преобразование номеров 8XXXXXXXXXX в +7
client-regions = регионы клиентов
