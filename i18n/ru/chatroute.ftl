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
