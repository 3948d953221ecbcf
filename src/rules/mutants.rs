//! Deliberate faults in the engine, to prove that the fixture suite catches bugs. They exist
//! only with the `mutants` cargo feature, which only the tests enable, and each is off until
//! a test switches it on for its own thread. Without the feature every function here is a
//! constant and the engine compiles to its plain form.

/// A deliberate fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mutant {
    /// The standard window `W` 1 ms longer, or shorter.
    WindowLate,
    WindowEarly,
    /// The human-agent extension `E` 1 ms longer, or shorter.
    ExtensionLate,
    ExtensionEarly,
    /// The private-reply validity `P` 1 ms longer, or shorter.
    ValidityLate,
    ValidityEarly,
    /// Decision steps `k` and `k + 1` of rules.md taken in the other order.
    Swap(u8),
    /// A private reply never uses up its credit.
    CreditNeverUsed,
    /// The oldest valid credit is used instead of the newest.
    OldestCredit,
    /// Held messages are never released.
    NeverReleased,
    /// `accept` opens the standard window like a customer message.
    AcceptOpensWindow,
    /// Not a fault of the engine but of the simulator: the decision on the first counted
    /// business message of the first channel is not counted (the message is lost between
    /// being sent and being counted). Not in [`Mutant::ALL`], which the fixture suite must
    /// catch; the simulator's conservation test catches this one.
    DecisionNotCounted,
}

impl Mutant {
    /// Every mutant. Swapping steps 1 and 2 is left out: they concern disjoint rows (a
    /// public reply is never tagged), so that swap cannot change any verdict.
    pub const ALL: [Mutant; 16] = [
        Mutant::WindowLate,
        Mutant::WindowEarly,
        Mutant::ExtensionLate,
        Mutant::ExtensionEarly,
        Mutant::ValidityLate,
        Mutant::ValidityEarly,
        Mutant::Swap(2),
        Mutant::Swap(3),
        Mutant::Swap(4),
        Mutant::Swap(5),
        Mutant::Swap(6),
        Mutant::CreditNeverUsed,
        Mutant::OldestCredit,
        Mutant::NeverReleased,
        Mutant::AcceptOpensWindow,
        Mutant::Swap(1),
    ];
}

#[cfg(feature = "mutants")]
thread_local! {
    static ACTIVE: std::cell::Cell<Option<Mutant>> = const { std::cell::Cell::new(None) };
}

/// Whether any thread ever switched a mutant on: until then the engine looks no further.
#[cfg(feature = "mutants")]
static EVER: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Switches `mutant` on for this thread (`None` restores the real engine).
#[cfg(feature = "mutants")]
pub fn set(mutant: Option<Mutant>) {
    if mutant.is_some() {
        EVER.store(true, std::sync::atomic::Ordering::Relaxed);
    }
    ACTIVE.with(|a| a.set(mutant));
}

/// The mutant active on this thread.
#[inline(always)]
pub(crate) fn active() -> Option<Mutant> {
    #[cfg(feature = "mutants")]
    {
        if !EVER.load(std::sync::atomic::Ordering::Relaxed) {
            return None;
        }
        ACTIVE.with(|a| a.get())
    }
    #[cfg(not(feature = "mutants"))]
    {
        None
    }
}

/// The order of the decision steps.
#[inline(always)]
pub(crate) fn order() -> [u8; 7] {
    let mut order = [1, 2, 3, 4, 5, 6, 7];
    if let Some(Mutant::Swap(k)) = active() {
        let k = usize::from(k.clamp(1, 6));
        order.swap(k - 1, k);
    }
    order
}

/// How many milliseconds a mutant moves a boundary.
#[inline(always)]
pub(crate) fn shift(late: Mutant, early: Mutant) -> i64 {
    match active() {
        Some(m) if m == late => 1,
        Some(m) if m == early => -1,
        _ => 0,
    }
}

/// True when `m` is the active mutant.
#[inline(always)]
pub fn is(m: Mutant) -> bool {
    active() == Some(m)
}
