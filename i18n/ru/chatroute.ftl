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
