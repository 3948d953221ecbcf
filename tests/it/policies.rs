//! Non-default policies change the verdicts they should, and no others.

use replywindow::fixtures::{BoundarySuite, policy_variants};
use replywindow::rules::{Channel, Policy, Reason, Sender, Verdict};
use replywindow::time::HOUR;
use replywindow::trace::{Input, RowKind, TraceRecord, VerdictRow, replay, write_trace};

/// The suite built for the default policy, replayed under `policy`: the records and the
/// verdicts under the default and under `policy`, row by row.
fn compare(policy: &Policy) -> Vec<(TraceRecord, VerdictRow, VerdictRow)> {
    let suite = BoundarySuite::build(&Policy::meta());
    let mut bytes = Vec::new();
    write_trace(&mut bytes, &suite.records).unwrap();
    let default = replay(Input::bytes("b.csv", bytes.clone()), &Policy::meta()).unwrap();
    let changed = replay(Input::bytes("b.csv", bytes), policy).unwrap();
    let business: Vec<TraceRecord> = suite
        .records
        .into_iter()
        .filter(|r| matches!(r.kind, RowKind::Business { .. }))
        .collect();
    assert_eq!(business.len(), default.rows.len());
    business
        .into_iter()
        .zip(default.rows)
        .zip(changed.rows)
        .map(|((r, a), b)| (r, a, b))
        .collect()
}

/// A row the policy does not concern may change only as a consequence of an earlier change
/// in its case (a credit spent or kept, a request opened or not).
#[derive(Default)]
struct KnockOn(std::collections::BTreeSet<String>);

impl KnockOn {
    fn allow(&self, r: &TraceRecord, a: &VerdictRow, b: &VerdictRow) {
        assert!(
            a == b || self.0.contains(&r.case),
            "{} {} should not change: {a:?} became {b:?}",
            r.case,
            r.seq
        );
    }
    fn record(&mut self, r: &TraceRecord, a: &VerdictRow, b: &VerdictRow) {
        if a != b {
            self.0.insert(r.case.clone());
        }
    }
}

fn variant(name: &str) -> Policy {
    policy_variants()
        .into_iter()
        .find(|v| v.name == name)
        .unwrap()
        .policy
}

#[test]
fn no_extension_changes_exactly_the_extension_verdicts() {
    let rows = compare(&variant("no-extension"));
    let mut changed = 0;
    let mut knock_on = KnockOn::default();
    for (r, a, b) in rows {
        let expected_change =
            matches!(a.reason, Some(Reason::HumanAgent | Reason::ExtensionClosed));
        if expected_change {
            changed += 1;
            // Past the window the tag extends nothing: the message is too late, unless a
            // comment's credit carries it (and on Instagram what follows is then held).
            assert!(
                matches!(b.reason, Some(Reason::WindowClosed | Reason::PrivateReply)),
                "{} {}: {:?} became {:?}",
                r.case,
                r.seq,
                a.reason,
                b.reason
            );
        } else {
            knock_on.allow(&r, &a, &b);
        }
        knock_on.record(&r, &a, &b);
    }
    assert!(changed >= 8, "{changed}");
}

#[test]
fn a_48h_window_turns_exactly_the_messages_between_24h_and_48h_into_window_deliveries() {
    let policy = variant("window-48h");
    let suite = BoundarySuite::build(&Policy::meta());
    // Recompute each business row's age since the customer's latest message.
    let mut last: std::collections::BTreeMap<String, i64> = Default::default();
    let mut ages = Vec::new();
    for r in &suite.records {
        match r.kind {
            RowKind::Customer(replywindow::rules::CustomerAction::Message) => {
                last.insert(r.case.clone(), r.at.millis());
            }
            RowKind::Customer(_) => {}
            RowKind::Business {
                tagged,
                sender,
                action,
                content,
            } => ages.push((
                last.get(&r.case).map(|l| r.at.millis() - l),
                tagged
                    && (sender == Sender::Bot
                        || content == replywindow::rules::Content::Promotional),
                action == replywindow::rules::BusinessAction::CommentReply,
            )),
        }
    }
    let rows = compare(&policy);
    let mut changed = 0;
    let mut knock_on = KnockOn::default();
    for ((r, a, b), (age, misused, public)) in rows.iter().zip(ages) {
        let in_new_window = age.is_some_and(|age| (24 * HOUR..48 * HOUR).contains(&age));
        if in_new_window && !misused && !public {
            changed += usize::from(a != b);
            assert_eq!(
                b.reason,
                Some(Reason::StandardWindow),
                "{} {}",
                r.case,
                r.seq
            );
        } else {
            knock_on.allow(r, a, b);
        }
        knock_on.record(r, a, b);
    }
    assert!(changed >= 10, "{changed}");
}

#[test]
fn instagram_without_hold_changes_only_instagram_held_messages_and_what_follows() {
    let rows = compare(&variant("instagram-no-hold"));
    let mut changed = 0;
    let mut knock_on = KnockOn::default();
    for (r, a, b) in rows {
        if r.channel != Channel::Instagram {
            assert_eq!(a, b, "{} {}: only Instagram changes", r.case, r.seq);
            continue;
        }
        assert_ne!(
            b.verdict,
            Verdict::Held,
            "{} {}: nothing is held",
            r.case,
            r.seq
        );
        if a.verdict == Verdict::Held {
            changed += 1;
            assert!(
                matches!(
                    b.reason,
                    Some(Reason::PrivateReplyUsed | Reason::PrivateReplyExpired)
                ),
                "{} {}: held became {:?}",
                r.case,
                r.seq,
                b.reason
            );
        } else {
            knock_on.allow(&r, &a, &b);
        }
        knock_on.record(&r, &a, &b);
    }
    assert!(changed >= 8, "{changed}");
}

#[test]
fn each_variant_suite_holds_under_its_own_policy() {
    for v in policy_variants() {
        let suite = BoundarySuite::build(&v.policy);
        assert_eq!(suite.verify(), Ok(()), "{}", v.name);
    }
}
