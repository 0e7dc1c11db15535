package jobs

// SlotOf exposes slotOf to the tests.
var SlotOf = slotOf
