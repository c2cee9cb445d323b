//! Positions of a round-robin cycle: the one mapping of a position to its
//! member, and the walk from the cursor to the first member who
//! qualifies (the Lua `take_next` in `prelude.lua` is its twin).

/// The member at `position` of the cycle (positions count on past its
/// length: a cursor is a count of positions taken).
pub(crate) fn member_at(cycle: &[String], position: u64) -> &str {
    &cycle[(position % cycle.len() as u64) as usize]
}

/// The first position from `start` whose member `ok` holds of, within one
/// turn of the cycle.
pub(crate) fn take_next(cycle: &[String], start: u64, ok: impl Fn(&str) -> bool) -> Option<u64> {
    let n = cycle.len() as u64;
    (start..start + n).find(|pos| ok(member_at(cycle, *pos)))
}
