-- The currency of a PDCA cycle's money (domain.pdca.Cycle.currency): the code ("USD") the export named that the
-- baseline, or else the fact, came from. NULL: typed by hand, the export named none, or a cycle saved before this
-- column. Old cycles stay NULL on purpose: they came from typed numbers or exports whose currency was not kept, and
-- no sign is better than a wrong ₽.
ALTER TABLE pdca_cycles ADD COLUMN currency TEXT;
