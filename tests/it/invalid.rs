//! Invalid input exits 2, names the line, the column and the value, and writes nothing to
//! standard output; arbitrary bytes never make `replay` panic.

use proptest::prelude::*;
use replywindow::rules::Policy;
use replywindow::trace::{Input, replay};

use crate::util::*;

const HEADER: &str = "case,seq,at,channel,actor,action,content,tag";
const FIRST: &str = "a,1,2026-03-02T09:00:00Z,whatsapp,customer,message,,";

/// Replays `text` through the command and asserts exit 2, an error naming every `needles`,
/// and an empty standard output.
fn rejected(text: &str, needles: &[&str]) {
    let dir = tmp();
    let trace = write(dir.path(), "t.csv", text);
    let out = replywindow(dir.path())
        .arg("replay")
        .arg(&trace)
        .output()
        .unwrap();
    let err = stderr_of(&out);
    assert_eq!(out.status.code(), Some(2), "{text}\n{err}");
    assert!(
        out.stdout.is_empty(),
        "stdout must stay empty: {}",
        stdout_of(&out)
    );
    for needle in needles {
        assert!(err.contains(needle), "{err:?} should name {needle:?}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// A trace of the header, a first valid WhatsApp row and then `row` on line 3.
fn second_row(row: &str) -> String {
    format!("{HEADER}\n{FIRST}\n{row}\n")
}

#[test]
fn rows_the_rules_forbid() {
    let cases = [
        (
            "b,1,2026-03-02T09:00:00Z,whatsapp,customer,comment,,",
            "comment",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,whatsapp,customer,accept,,",
            "accept",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,facebook,customer,accept,,",
            "accept",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,whatsapp,operator,comment_reply,,",
            "comment_reply",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,whatsapp,operator,message,,human_agent",
            "human_agent",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,facebook,customer,message,,human_agent",
            "human_agent",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,facebook,operator,comment_reply,,human_agent",
            "human_agent",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,facebook,customer,message,related,",
            "related",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,telegram,customer,message,,",
            "telegram",
        ),
        (
            "b,1,2026-03-02T09:00:00Z, whatsapp,customer,message,,",
            "\" whatsapp\"",
        ),
        ("b,1,2026-03-02T09:00:00Z,whatsapp,agent,message,,", "agent"),
        (
            "b,1,2026-03-02T09:00:00Z,whatsapp,customer,comment_reply,,",
            "comment_reply",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,whatsapp,operator,accept,,",
            "accept",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,whatsapp,operator,message,promo,",
            "promo",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,facebook,operator,message,,HUMAN_AGENT",
            "HUMAN_AGENT",
        ),
        // A case whose channel changes, instants that go backwards, a seq used twice.
        (
            "a,2,2026-03-02T09:00:00Z,facebook,customer,message,,",
            "facebook",
        ),
        (
            "a,2,2026-03-02T08:59:59.999Z,whatsapp,customer,message,,",
            "2026-03-02T08:59:59.999Z",
        ),
        (
            "a,1,2026-03-02T10:00:00Z,whatsapp,customer,message,,",
            "seq",
        ),
    ];
    for (row, value) in cases {
        rejected(&second_row(row), &["t.csv", "line 3", value]);
    }
}

#[test]
fn malformed_fields() {
    let cases = [
        (
            "b,1,2026-03-02t09:00:00Z,whatsapp,customer,message,,",
            "2026-03-02t09:00:00Z",
        ),
        (
            "b,1,2026-03-02 09:00:00Z,whatsapp,customer,message,,",
            "2026-03-02 09:00:00Z",
        ),
        (
            "b,1,2026-03-02T09:00:00.1000Z,whatsapp,customer,message,,",
            ".1000Z",
        ),
        (
            "b,1,2026-03-02T09:00:00,whatsapp,customer,message,,",
            "2026-03-02T09:00:00",
        ),
        (
            "b,1,2026-02-30T09:00:00Z,whatsapp,customer,message,,",
            "2026-02-30",
        ),
        (
            "b,1,2026-03-02T09:00:00z,whatsapp,customer,message,,",
            "09:00:00z",
        ),
        (
            "b,01,2026-03-02T09:00:00Z,whatsapp,customer,message,,",
            "01",
        ),
        (
            "b,-1,2026-03-02T09:00:00Z,whatsapp,customer,message,,",
            "-1",
        ),
        (
            "b,9223372036854775808,2026-03-02T09:00:00Z,whatsapp,customer,message,,",
            "9223372036854775808",
        ),
        (
            "b c,1,2026-03-02T09:00:00Z,whatsapp,customer,message,,",
            "b c",
        ),
        (
            ",1,2026-03-02T09:00:00Z,whatsapp,customer,message,,",
            "case",
        ),
        (
            "b,1,2026-03-02T09:00:00Z,whatsapp,customer,message,",
            "fields",
        ),
    ];
    for (row, value) in cases {
        rejected(&second_row(row), &["line 3", value]);
    }
}

#[test]
fn malformed_files() {
    rejected("", &["no header"]);
    rejected(
        "case,seq,at,channel,actor\nb,1,2026-03-02T09:00:00Z,whatsapp,customer\n",
        &["line 1", "action"],
    );
    rejected(
        &format!("{HEADER},seq\n{FIRST},1\n"),
        &["line 1", "seq", "twice"],
    );
    rejected("Case,seq,at,channel,actor,action\n", &["case"]);
    // The error names the line where a multi-line record starts.
    rejected(
        &format!(
            "{HEADER},note\n{FIRST},\"two\nlines\"\nb,1,2026-03-02T09:00:00Z,whatsapp,bot,mesage,,,\n"
        ),
        &["line 4", "mesage"],
    );
}

#[test]
fn valid_oddities_are_accepted() {
    let dir = tmp();
    let text = format!(
        "\u{feff}note,{HEADER}\r\n\"a note, with a comma\nand a line break\",{FIRST}\r\n\
         x,b,1,2026-03-02T09:00:00Z,facebook,customer,comment,,\r\n\
         ,a,2,2026-03-02T10:00:00.5+01:00,whatsapp,bot,message,,\r\n\
         ,b,2,2026-03-02T09:30:00Z,facebook,operator,message,promotional,\r\n"
    );
    let trace = write(dir.path(), "t.csv", text);
    let out = replywindow(dir.path())
        .arg("replay")
        .arg(&trace)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr_of(&out));
    assert_eq!(
        stdout_of(&out),
        "case,seq,verdict,reason,delivered_at\n\
         a,2,delivered,standard_window,2026-03-02T09:00:00.500Z\n\
         b,2,delivered,private_reply,2026-03-02T09:30:00.000Z\n"
    );
    let header_only = write(dir.path(), "h.csv", format!("{HEADER}\n"));
    replywindow(dir.path())
        .arg("replay")
        .arg(&header_only)
        .assert()
        .success()
        .stdout("case,seq,verdict,reason,delivered_at\n");
}

#[test]
fn bad_policy_files_name_the_key_and_value() {
    let dir = tmp();
    let trace = write(
        dir.path(),
        "t.csv",
        second_row("a,2,2026-03-02T10:00:00Z,whatsapp,bot,message,,"),
    );
    for (policy, needles) in [
        (
            "[facebook]\nhuman_agent_extension = \"12h\"\n",
            &["facebook.human_agent_extension", "12h"][..],
        ),
        (
            "[facebook]\nwindow = \"a day\"\n",
            &["facebook.window", "a day"],
        ),
        ("[instagram]\nhold = true\n", &["hold"]),
        ("[sms]\nwindow = \"1h\"\n", &["sms"]),
        (
            "[whatsapp]\nwindow = \"0ms\"\n",
            &["whatsapp.window", "0ms"],
        ),
    ] {
        let file = write(dir.path(), "p.toml", policy);
        let out = replywindow(dir.path())
            .arg("replay")
            .arg(&trace)
            .arg("--policy")
            .arg(&file)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(out.stdout.is_empty());
        let err = stderr_of(&out);
        assert!(err.contains("p.toml"), "{err}");
        for n in needles {
            assert!(err.contains(n), "{err:?} should name {n:?}");
        }
    }
    let out = replywindow(dir.path())
        .args(["rules", "--policy", "missing.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr_of(&out).contains("missing.toml"));
}

#[test]
fn rules_shows_the_active_policy() {
    let dir = tmp();
    let out = replywindow(dir.path()).arg("rules").output().unwrap();
    assert!(out.status.success());
    let text = stdout_of(&out);
    assert!(
        text.contains("whatsapp") && text.contains("24h") && text.contains("7d"),
        "{text}"
    );
    let file = write(
        dir.path(),
        "p.toml",
        "[facebook]\nhuman_agent_extension = \"none\"\n",
    );
    let out = replywindow(dir.path())
        .args(["rules", "--policy"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(stdout_of(&out).contains("none"), "{}", stdout_of(&out));
}

proptest! {
    #[test]
    fn replay_never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = replay(Input::bytes("fuzz.csv", bytes), &Policy::meta());
    }

    #[test]
    fn replay_never_panics_on_mangled_traces(
        cut in 0usize..2000,
        insert in proptest::collection::vec(any::<u8>(), 0..8),
    ) {
        let base = std::fs::read(data("basics.csv")).unwrap();
        let at = cut % (base.len() + 1);
        let mut bytes = base[..at].to_vec();
        bytes.extend(insert);
        bytes.extend_from_slice(&base[at..]);
        let _ = replay(Input::bytes("mangled.csv", bytes), &Policy::meta());
    }
}

/// The default scenario with one value replaced by `replacement`.
fn mangled_scenario(which: usize, replacement: &str) -> String {
    let text = replywindow::scenario::DEFAULT_SCENARIO;
    // The values: what follows `= ` up to a comment or the end of the line.
    let values: Vec<(usize, usize)> = text
        .match_indices("= ")
        .map(|(i, _)| {
            let start = i + 2;
            let end = text[start..]
                .find(['#', '\n'])
                .map_or(text.len(), |e| start + e);
            (start, end)
        })
        .collect();
    let (start, end) = values[which % values.len()];
    format!("{}{}{}", &text[..start], replacement, &text[end..])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn scenarios_with_any_value_changed_are_read_or_refused_without_panic(
        which in 0usize..200,
        replacement in prop_oneof![
            Just("-1".to_string()), Just("0".to_string()), Just("1e308".to_string()), Just("nan".to_string()),
            Just("\"\"".to_string()), Just("\"0s\"".to_string()), Just("\"1ms\"".to_string()), Just("\"9999d\"".to_string()),
            Just("true".to_string()), Just("[]".to_string()), Just("{}".to_string()), Just("\"24:00\"".to_string()),
            Just("{ distribution = \"gamma\", shape = 0.000001, mean = \"1ms\" }".to_string()),
            Just("{ distribution = \"poisson\", mean = 1e300 }".to_string()),
            Just("{ distribution = \"uniform\", min = \"1ms\", max = \"1ms\" }".to_string()),
            "[a-z0-9\"]{0,6}",
        ],
    ) {
        let text = mangled_scenario(which, &replacement);
        if let Ok(mut s) = replywindow::scenario::Scenario::from_toml(&text, "fuzz") {
            // A scenario that is accepted runs (briefly) without panic.
            s.horizon = s.horizon.min(3 * replywindow::time::DAY);
            s.warm_up = s.warm_up.min(s.horizon / 2);
            s.replications = 1;
            for c in &mut s.channels {
                for r in c.hourly_rate.iter_mut() {
                    *r = r.min(50.0);
                }
            }
            let p = replywindow::sim::Prepared::new(s);
            let _ = replywindow::sim::simulate(&p, &replywindow::sim::RunOptions { threads: 1, ..Default::default() });
        }
    }
}
