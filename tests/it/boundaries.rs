//! Every reason on every channel where it can occur, probed 1 ms before, exactly at and
//! 1 ms after its boundary, with instants in local offsets across daylight-saving changes.

use std::collections::{BTreeMap, BTreeSet};

use replywindow::fixtures::BoundarySuite;
use replywindow::rules::{Channel, Policy, Reason, possible_under_default};
use replywindow::trace::{CheckOptions, Input, check, replay, write_trace, write_verdicts};

/// Writes the suite, replays the file through the engine and checks the verdicts against
/// the suite's designed expectations.
fn replay_and_check(suite: &BoundarySuite) {
    let mut fixture = Vec::new();
    write_trace(&mut fixture, &suite.records).unwrap();
    let verdicts = replay(Input::bytes("boundary.csv", fixture.clone()), &suite.policy).unwrap();
    let mut out = Vec::new();
    write_verdicts(&mut out, &verdicts).unwrap();
    let report = check(
        Input::bytes("boundary.csv", fixture),
        Input::bytes("v.csv", out),
        CheckOptions::default(),
    )
    .unwrap();
    let lines: Vec<String> = report.disagreements.iter().map(|d| d.to_string()).collect();
    assert!(lines.is_empty(), "{}", lines.join("\n"));
}

#[test]
fn every_designed_verdict_holds_under_the_default_policy() {
    replay_and_check(&BoundarySuite::build(&Policy::meta()));
}

#[test]
fn every_possible_pair_is_probed_around_its_boundary() {
    let suite = BoundarySuite::build(&Policy::meta());
    // family (case id without its probe) -> probes present, and the pairs it shows.
    let mut probes: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut pairs: BTreeMap<(Channel, Reason), BTreeSet<String>> = BTreeMap::new();
    for r in &suite.records {
        let Some((family, probe)) = r.case.rsplit_once('-') else {
            continue;
        };
        if !["before", "at", "after"].contains(&probe) {
            continue;
        }
        probes
            .entry(family.to_string())
            .or_default()
            .insert(probe.to_string());
        if let Some(reason) = r.expect.and_then(|e| e.reason) {
            pairs
                .entry((r.channel, reason))
                .or_default()
                .insert(family.to_string());
        }
    }
    let mut covered = 0;
    for &channel in Channel::ALL {
        for &reason in Reason::ALL {
            let families = pairs.get(&(channel, reason));
            if possible_under_default(channel, reason).is_err() {
                assert!(
                    families.is_none(),
                    "{channel} {reason} cannot occur, yet it does: {families:?}"
                );
                continue;
            }
            let probed = families.into_iter().flatten().any(|f| probes[f].len() == 3);
            assert!(
                probed,
                "{channel} {reason} is not probed at -1 ms, 0 and +1 ms of a boundary"
            );
            covered += 1;
        }
    }
    assert_eq!(covered, 27);
}

#[test]
fn instants_are_written_in_local_offsets_across_daylight_saving_changes() {
    let suite = BoundarySuite::build(&Policy::meta());
    let mut fixture = Vec::new();
    write_trace(&mut fixture, &suite.records).unwrap();
    let text = String::from_utf8(fixture).unwrap();
    // Rome: 28 March in winter time, 29 March in summer time, and back in October.
    assert!(
        text.contains("2026-03-28T12:00:00.000+01:00"),
        "winter side of the spring change"
    );
    assert!(
        text.contains("2026-03-29T12:59:59.999+02:00"),
        "summer side, 1 ms before W"
    );
    assert!(
        text.contains("2026-03-29T13:00:00.000+02:00"),
        "summer side, exactly W"
    );
    assert!(
        text.contains("2026-10-24T12:00:00.000+02:00"),
        "summer side of the autumn change"
    );
    assert!(
        text.contains("2026-10-25T11:00:00.000+01:00"),
        "winter side, exactly W"
    );
    let dst_rows = suite
        .records
        .iter()
        .filter(|r| r.case.contains("dst-"))
        .count();
    assert!(dst_rows >= 12, "{dst_rows}");
}
