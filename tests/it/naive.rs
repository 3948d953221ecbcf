//! A deliberately naive second implementation of rules.md: each verdict is recomputed from
//! the full list of earlier rows of its case, with no incremental state. A property test
//! checks that it agrees with the engine on random traces clustered around the boundaries.

// Naive on purpose: whole-history scans, written for plainness, not speed.
#![allow(clippy::double_ended_iterator_last, clippy::needless_range_loop)]

use proptest::prelude::*;

use replywindow::fixtures::policy_variants;
use replywindow::rules::{
    AnswerStyle, BusinessAction, BusinessMessage, Case, Channel, Content, CustomerAction, Policy,
    Reason, Sender, Verdict,
};
use replywindow::time::{DAY, HOUR, Instant, MINUTE};
use replywindow::trace::{Input, RowKind, TraceRecord, replay, write_trace};

/// The verdicts of one case's rows (`None` for customer rows), each with its delivery
/// instant, recomputed from scratch for every row.
fn naive_case(
    policy: &Policy,
    channel: Channel,
    rows: &[(Instant, RowKind)],
) -> Vec<Option<(Reason, Option<Instant>)>> {
    let p = policy.channel(channel);
    let mut verdicts: Vec<Option<(Reason, Option<Instant>)>> = Vec::new();
    for (i, &(t, event)) in rows.iter().enumerate() {
        let RowKind::Business {
            sender,
            action,
            content,
            tagged,
        } = event
        else {
            verdicts.push(None);
            continue;
        };
        let earlier = &rows[..i];
        let customer = |a: CustomerAction| {
            earlier
                .iter()
                .enumerate()
                .filter(move |(_, (_, e))| *e == RowKind::Customer(a))
        };
        let last_message = customer(CustomerAction::Message)
            .map(|(_, (at, _))| *at)
            .last();
        let comments: Vec<(usize, Instant)> = customer(CustomerAction::Comment)
            .map(|(j, (at, _))| (j, *at))
            .collect();
        // Which comment each earlier private reply used: the newest unused valid one then.
        let mut used: Vec<usize> = Vec::new();
        for (j, v) in verdicts.iter().enumerate() {
            if let Some((Reason::PrivateReply, _)) = v {
                let at = rows[j].0;
                let credit = comments
                    .iter()
                    .filter(|(k, c)| {
                        *k < j && !used.contains(k) && at < c.plus(p.private_reply_validity)
                    })
                    .map(|(k, _)| *k)
                    .last();
                used.push(credit.expect("a private reply had a credit"));
            }
        }
        let hold = channel == Channel::Instagram && p.hold_until_accepted;
        let last_private_reply = verdicts
            .iter()
            .rposition(|v| matches!(v, Some((Reason::PrivateReply, _))));
        let last_release = earlier.iter().rposition(|(_, e)| {
            matches!(
                e,
                RowKind::Customer(CustomerAction::Message | CustomerAction::Accept)
            )
        });
        let pending =
            hold && last_private_reply.is_some_and(|pr| last_release.is_none_or(|r| pr > r));
        // An `accept` with nothing pending has no effect, so it is not the latest contact.
        let latest_customer = earlier
            .iter()
            .enumerate()
            .rev()
            .find(|(j, (_, e))| match e {
                RowKind::Customer(CustomerAction::Accept) => {
                    let pr = verdicts[..*j]
                        .iter()
                        .rposition(|v| matches!(v, Some((Reason::PrivateReply, _))));
                    let rel = rows[..*j].iter().rposition(|(_, e)| {
                        matches!(
                            e,
                            RowKind::Customer(CustomerAction::Message | CustomerAction::Accept)
                        )
                    });
                    hold && pr.is_some_and(|pr| rel.is_none_or(|r| pr > r))
                }
                RowKind::Customer(_) => true,
                _ => false,
            });
        let latest_is_comment = matches!(
            latest_customer,
            Some((_, (_, RowKind::Customer(CustomerAction::Comment))))
        );
        let extension = if channel == Channel::WhatsApp {
            None
        } else {
            p.human_agent_extension
        };

        let reason = if action == BusinessAction::CommentReply {
            if comments.is_empty() {
                Reason::NoComment
            } else {
                Reason::PublicReply
            }
        } else if tagged && sender == Sender::Bot {
            Reason::AutomatedHumanAgent
        } else if tagged && content == Content::Promotional {
            Reason::PromotionalHumanAgent
        } else if last_message.is_some_and(|l| t < l.plus(p.window)) {
            Reason::StandardWindow
        } else if extension.is_some_and(|e| {
            sender == Sender::Operator && tagged && last_message.is_some_and(|l| t < l.plus(e))
        }) {
            Reason::HumanAgent
        } else if comments
            .iter()
            .any(|(k, c)| !used.contains(k) && t < c.plus(p.private_reply_validity))
        {
            Reason::PrivateReply
        } else if pending {
            Reason::AwaitingAcceptance
        } else if last_message.is_none() && comments.is_empty() {
            Reason::CustomerFirst
        } else if latest_is_comment {
            let latest = comments.last().expect("a comment").1;
            if t < latest.plus(p.private_reply_validity) {
                Reason::PrivateReplyUsed
            } else {
                Reason::PrivateReplyExpired
            }
        } else if tagged && extension.is_some() && last_message.is_some() {
            Reason::ExtensionClosed
        } else {
            Reason::WindowClosed
        };
        let delivered_at = match reason.verdict() {
            Verdict::Delivered => Some(t),
            // Released by the first later customer message or accept.
            Verdict::Held => rows[i + 1..]
                .iter()
                .find(|(_, e)| {
                    matches!(
                        e,
                        RowKind::Customer(CustomerAction::Message | CustomerAction::Accept)
                    )
                })
                .map(|(at, _)| *at),
            _ => None,
        };
        verdicts.push(Some((reason, delivered_at)));
    }
    verdicts
}

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
        for c in 0..channels.len() {
            let name = format!("c{c}");
            let idx: Vec<usize> = (0..records.len()).filter(|&i| records[i].case == name).collect();
            if idx.is_empty() {
                continue;
            }
            let rows: Vec<(Instant, RowKind)> = idx.iter().map(|&i| (records[i].at, records[i].kind)).collect();
            for (i, v) in idx.iter().zip(naive_case(&policy, channels[c], &rows)) {
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
