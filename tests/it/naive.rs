//! The engine against the reference implementation (`fixtures::reference`: each verdict
//! recomputed from the whole earlier history of its case, independent of the engine) on
//! random traces clustered around the boundaries; the traffic fixtures against the
//! reference; and the engine's deliverability questions against its own decisions.

use proptest::prelude::*;

use replywindow::fixtures::policy_variants;
use replywindow::fixtures::reference::{check_with_reference, reference_case};
use replywindow::rules::{
    AnswerStyle, BusinessAction, BusinessMessage, Case, Channel, Content, CustomerAction, Policy,
    Reason, Sender, Verdict,
};
use replywindow::time::{DAY, HOUR, Instant, MINUTE};
use replywindow::trace::{Input, RowKind, TraceRecord, replay, write_trace};

/// One generated row: what happens, and when, relative to an earlier row.
#[derive(Clone, Debug)]
struct Step {
    case: usize,
    kind: u8,
    anchor: usize,
    offset: usize,
    tagged: bool,
    promotional: bool,
    bot: bool,
}

/// Offsets clustered around the boundaries of every policy in use.
const OFFSETS: [i64; 17] = [
    0,
    1,
    MINUTE,
    HOUR,
    24 * HOUR - 1,
    24 * HOUR,
    24 * HOUR + 1,
    48 * HOUR - 1,
    48 * HOUR,
    48 * HOUR + 1,
    7 * DAY - 1,
    7 * DAY,
    7 * DAY + 1,
    3 * DAY,
    10 * DAY,
    -1,
    2,
];

fn steps() -> impl Strategy<Value = (Vec<Channel>, Vec<Step>, usize)> {
    let channels = proptest::collection::vec(
        prop_oneof![
            Just(Channel::WhatsApp),
            Just(Channel::Facebook),
            Just(Channel::Instagram)
        ],
        1..4,
    );
    let step = (
        0..4usize,
        0..8u8,
        0..64usize,
        0..OFFSETS.len(),
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(
            |(case, kind, anchor, offset, tagged, promotional, bot)| Step {
                case,
                kind,
                anchor,
                offset,
                tagged,
                promotional,
                bot,
            },
        );
    (channels, proptest::collection::vec(step, 1..40), 0..4usize)
}

/// Turns steps into valid rows: actions allowed on the channel, instants never decreasing
/// within a case, each anchored at an earlier row of the case plus a boundary offset.
fn build(channels: &[Channel], steps: &[Step]) -> Vec<TraceRecord> {
    let t0 = Instant(1_772_442_000_000);
    let mut records: Vec<TraceRecord> = Vec::new();
    let mut per_case: Vec<Vec<Instant>> = vec![Vec::new(); channels.len()];
    for s in steps {
        let c = s.case % channels.len();
        let channel = channels[c];
        let times = &per_case[c];
        let last = times.last().copied().unwrap_or(t0);
        let anchor = if times.is_empty() {
            t0
        } else {
            times[s.anchor % times.len()]
        };
        let at = anchor.plus(OFFSETS[s.offset]).max(last);
        let social = channel != Channel::WhatsApp;
        let event = match s.kind {
            0 | 1 => RowKind::Customer(CustomerAction::Message),
            2 if social => RowKind::Customer(CustomerAction::Comment),
            3 if channel == Channel::Instagram => RowKind::Customer(CustomerAction::Accept),
            4 if social => RowKind::Business {
                sender: if s.bot { Sender::Bot } else { Sender::Operator },
                action: BusinessAction::CommentReply,
                content: if s.promotional {
                    Content::Promotional
                } else {
                    Content::Related
                },
                tagged: false,
            },
            _ => RowKind::Business {
                sender: if s.bot { Sender::Bot } else { Sender::Operator },
                action: BusinessAction::Message,
                content: if s.promotional {
                    Content::Promotional
                } else {
                    Content::Related
                },
                tagged: s.tagged && social,
            },
        };
        per_case[c].push(at);
        records.push(TraceRecord {
            case: format!("c{c}"),
            seq: per_case[c].len() as u64,
            at,
            offset_minutes: 0,
            channel,
            kind: event,
            expect: None,
            note: String::new(),
        });
    }
    records
}

fn policies() -> Vec<Policy> {
    let mut all = vec![Policy::meta()];
    all.extend(policy_variants().into_iter().map(|v| v.policy));
    all
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_engine_agrees_with_the_naive_implementation((channels, steps, policy) in steps()) {
        let policy = policies()[policy];
        let records = build(&channels, &steps);
        let mut bytes = Vec::new();
        write_trace(&mut bytes, &records).unwrap();
        let engine = replay(Input::bytes("random.csv", bytes), &policy).unwrap();
        let mut engine_rows = engine.rows.iter();
        // The naive verdicts, case by case, then in file order.
        let mut naive: Vec<Option<(Reason, Option<Instant>)>> = vec![None; records.len()];
        for (c, &channel) in channels.iter().enumerate() {
            let name = format!("c{c}");
            let idx: Vec<usize> = (0..records.len()).filter(|&i| records[i].case == name).collect();
            if idx.is_empty() {
                continue;
            }
            let rows: Vec<(Instant, RowKind)> = idx.iter().map(|&i| (records[i].at, records[i].kind)).collect();
            for (i, v) in idx.iter().zip(reference_case(&policy, channel, &rows)) {
                naive[*i] = v;
            }
        }
        for (r, n) in records.iter().zip(&naive) {
            let Some((reason, delivered_at)) = n else { continue };
            let e = engine_rows.next().expect("a verdict per business row");
            prop_assert_eq!(&*engine.case_names[e.case as usize], r.case.as_str());
            prop_assert_eq!(e.seq, r.seq);
            prop_assert_eq!((e.reason, e.delivered_at), (Some(*reason), *delivered_at), "case {} seq {}", r.case, r.seq);
        }
        prop_assert!(engine_rows.next().is_none());
    }
}

/// Whether an operator's related answer written in `style` at `at` is delivered, decided on
/// a copy of the case: its direct message (tagged when `style` says and the case needs the
/// tag), after a public reply where `style` has one.
fn answer_delivered(case: &Case, policy: &Policy, style: AnswerStyle, at: Instant) -> bool {
    let mut case = case.clone();
    let mut delivered = false;
    if style.public_reply {
        let public = BusinessMessage {
            action: BusinessAction::CommentReply,
            ..BusinessMessage::new(Sender::Operator, at)
        };
        delivered |= case.business(policy, &public).verdict == Verdict::Delivered;
    }
    let direct = BusinessMessage {
        tagged: style.tag_when_late && case.needs_tag(policy, at),
        ..BusinessMessage::new(Sender::Operator, at)
    };
    delivered | (case.business(policy, &direct).verdict == Verdict::Delivered)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// The engine's answer to "until when can an answer be delivered" agrees with deciding
    /// one at that instant (not delivered) and one millisecond before it (delivered), after
    /// every row of random cases, for every style of answer.
    #[test]
    fn deliverable_until_agrees_with_deciding((channels, steps, policy) in steps()) {
        let policy = policies()[policy];
        let records = build(&channels, &steps);
        let mut cases: Vec<Case> = channels.iter().map(|&c| Case::new(c)).collect();
        for r in &records {
            let i: usize = r.case[1..].parse().unwrap();
            let case = &mut cases[i];
            match r.kind.message(r.at) {
                Some(m) => { case.business(&policy, &m); }
                None => {
                    let RowKind::Customer(action) = r.kind else { unreachable!() };
                    case.customer(action, r.at);
                }
            }
            let social = case.channel() != Channel::WhatsApp;
            for (public_reply, tag_when_late) in [(false, false), (false, true), (true, false), (true, true)] {
                if public_reply && !social {
                    continue;
                }
                let style = AnswerStyle { public_reply, tag_when_late };
                let until = case.deliverable_until(&policy, style);
                let now = r.at;
                if until == Instant::ALWAYS {
                    prop_assert!(answer_delivered(case, &policy, style, now.plus(3650 * DAY)));
                } else if until > now {
                    prop_assert!(answer_delivered(case, &policy, style, until.plus(-1)),
                        "{:?} at {} - 1 ms, case {}", style, until, r.case);
                    prop_assert!(!answer_delivered(case, &policy, style, until),
                        "{:?} at {}, case {}", style, until, r.case);
                } else {
                    prop_assert!(!answer_delivered(case, &policy, style, now),
                        "{:?} at {} (until {}), case {}", style, now, until, r.case);
                }
            }
        }
    }
}

/// The traffic fixtures of every embedded scenario: their expectations (the engine's, as
/// the simulator recorded them) agree with the reference implementation.
#[test]
fn traffic_fixtures_agree_with_the_reference() {
    for (name, text) in replywindow::scenario::SCENARIOS {
        let scenario = replywindow::scenario::Scenario::from_toml(text, name).unwrap();
        let records = replywindow::fixtures::suite::traffic(scenario, 1, 60).unwrap();
        assert!(
            records.iter().filter(|r| r.expect.is_some()).count() > 50,
            "{name}"
        );
        if let Err(rows) = check_with_reference(&Policy::meta(), &records) {
            panic!("{name}:\n{}", rows.join("\n"));
        }
    }
}

/// A rules bug recorded into a traffic fixture is caught by the reference: the same
/// traffic with the expectations of faulty engines (held messages never released, credits
/// never used).
#[test]
fn a_traffic_fixture_from_a_faulty_engine_is_caught() {
    use replywindow::rules::mutants::{self, Mutant};
    let (name, text) = replywindow::scenario::SCENARIOS[0];
    let scenario = replywindow::scenario::Scenario::from_toml(text, name).unwrap();
    let mut records = replywindow::fixtures::suite::traffic(scenario, 1, 200).unwrap();
    for mutant in [Mutant::NeverReleased, Mutant::CreditNeverUsed] {
        mutants::set(Some(mutant));
        let faulty = replywindow::trace::outcomes(&Policy::meta(), &records);
        mutants::set(None);
        let mut changed = records.clone();
        for (r, e) in changed.iter_mut().zip(faulty) {
            r.expect = e;
        }
        assert!(changed != records, "the traffic does not meet {mutant:?}");
        let wrong = check_with_reference(&Policy::meta(), &changed).unwrap_err();
        assert!(!wrong.is_empty(), "{mutant:?}");
    }
    // The sound engine's expectations pass.
    let sound = replywindow::trace::outcomes(&Policy::meta(), &records);
    for (r, e) in records.iter_mut().zip(sound) {
        r.expect = e;
    }
    assert_eq!(check_with_reference(&Policy::meta(), &records), Ok(()));
}
