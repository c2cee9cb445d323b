# Слова самого редактора по-русски (диагностики — из chatroute-check).

hover-not-an-employee = нет в [employees]
hover-writes-first-from = исходящий канал по умолчанию: `{ $channel }`
hover-takes-deals-on = получает новые сделки в: { $channels }
hover-schedule-not-defined = не описано
hover-works = работает по `{ $schedule }`: { $hours }
completion-from-crm = из снимка amoCRM
rename-invalid-handle = `{ $handle }` — недопустимое имя сотрудника
rename-everyone = `everyone` — ключ доступа всех сотрудников, а не имя
rename-taken = сотрудник `{ $handle }` уже есть: сначала переименуйте его или выберите другое имя
hint-share = доля новых сделок канала у этого участника (вес / сумма весов)
hint-level = уровень записи: собственная запись важнее `everyone`, а без `level` доступ `read`
