# Сообщения самой командной строки по-русски.

error = ошибка: { $message }
checked = { $files ->
    [one] проверен { $files } файл
    [few] проверено { $files } файла
   *[other] проверено { $files } файлов
}: { $errors ->
    [one] { $errors } ошибка
    [few] { $errors } ошибки
   *[other] { $errors } ошибок
}, { $warnings ->
    [one] { $warnings } предупреждение
    [few] { $warnings } предупреждения
   *[other] { $warnings } предупреждений
}
skipped-not-a-spec = пропущен { $path }: это не спецификация chatroute
cannot-read = не удаётся прочитать { $path }: { $error }
cannot-write = не удаётся записать { $path }: { $error }
cannot-write-stdout = не удаётся писать в стандартный вывод: { $error }
output-is-input = вывод { $output } — это входной файл { $input }; не перезаписываю
compile-several-need-dir = несколько спецификаций компилируются в каталог: укажите `-o КАТАЛОГ` (существующий)
compile-has-errors = в { $path } есть ошибки; таблица не записана
diff-has-errors = в { $path } есть ошибки; сравнивать не с чем
init-wrote = записаны { $spec } и рядом { $schema }
explain-unknown-code = неизвестный код диагностики `{ $code }`: коды выглядят как CR101, а `chatroute check` называет код каждой проблемы
no-secret = нет { $hint }: задайте { $env } или передайте --token-file
secret-amocrm-token = токена (долгосрочного токена администратора аккаунта)
secret-wazzup-key = ключа API (Wazzup: Настройки -> API)
warning-plain-http-token = предупреждение: { $url } — обычный http: токен передаётся без шифрования (разрешено только на loopback)
warning-plain-http-key = предупреждение: { $url } — обычный http: ключ передаётся без шифрования (разрешено только на loopback)
pull-failed = { $why }; { $path } не изменён
crm-wrote = записан { $path }: { $users ->
    [one] { $users } пользователь
    [few] { $users } пользователя
   *[other] { $users } пользователей
}, { $pipelines ->
    [one] { $pipelines } воронка
    [few] { $pipelines } воронки
   *[other] { $pipelines } воронок
}{ $contacts ->
    [-1] {""}
    [one] , { $contacts } контакт
    [few] , { $contacts } контакта
   *[other] , { $contacts } контактов
}
wazzup-wrote = записан { $path }: { $channels ->
    [one] { $channels } канал
    [few] { $channels } канала
   *[other] { $channels } каналов
}
route-first-of = первому ответившему из: { $group }
route-unassigned = без ответственного (никто не может взять)
route-events-in-memory = --events проигрывает сценарий в памяти: уберите --state
route-unknown-channel = канал `{ $channel }` не маршрутизируется этой таблицей (неизвестен, исключён или интеграция выключена)
route-not-a-responder = `{ $employee }` не входит в группу «первый ответивший» канала `{ $channel }`
route-unknown-employee = в этой таблице нет сотрудника `{ $employee }`
route-unavailable = отмечен недоступным
route-at-capacity = достиг предела открытых сделок
route-cannot-take = `{ $employee }` сейчас не может взять сделку `{ $deal }`: { $why }
route-deal-conflict = сделка `{ $deal }` у `{ $owner }`, а он здесь не участник (решено в другом канале или убран при перезагрузке): сначала закройте её или возьмите новый id сделки
route-deal-id-required = канал `{ $channel }` ограничивает открытые сделки или передаёт сделки без ответа: укажите id сделки `deal`
timeline-note = примечание записано в { $deal }: { $period }, { $count ->
    [one] { $count } сообщение
    [few] { $count } сообщения
   *[other] { $count } сообщений
}
timeline-message = сообщение в { $deal }
timeline-deal = сделка { $deal } -> { $employee }
timeline-deal-first-of = сделка { $deal } -> первому из { $group }
timeline-deal-waits = сделка { $deal } -> никто не может взять: ждёт
timeline-reply = { $employee } ответил в { $deal }
timeline-reply-stops = { $employee } ответил в { $deal }: таймер остановлен
timeline-closed = { $deal } закрыта (была у { $employee })
timeline-closed-not-open = { $deal } закрыта (не была открыта)
timeline-available = { $employee } доступен
timeline-unavailable = { $employee } недоступен
timeline-wait = проходит { $seconds } с
timeline-bad-step = ожидается `deal ID`, `message ID`, `reply ID HANDLE`, `close ID`, `available HANDLE`, `unavailable HANDLE` или `wait 15m`
