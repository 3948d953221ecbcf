//! The active policy as a readable table, for the terminal (`replywindow rules`) and the page.

use crate::rules::{Channel, Policy};
use crate::time::format_duration;

/// One row per parameter, one column per channel; `—` where a parameter does not apply.
///
/// ```
/// use replywindow::report::policy_table;
/// use replywindow::rules::Policy;
///
/// let table = policy_table(&Policy::meta());
/// assert!(table.starts_with("parameter"));
/// assert!(table.contains("whatsapp"));
/// ```
pub fn policy_table(policy: &Policy) -> String {
    let dash = || "—".to_string();
    let column = |c: Channel| -> [String; 4] {
        let p = policy.channel(c);
        let social = c != Channel::WhatsApp;
        [
            format_duration(p.window),
            if social {
                p.human_agent_extension
                    .map_or("none".into(), format_duration)
            } else {
                dash()
            },
            if social {
                format_duration(p.private_reply_validity)
            } else {
                dash()
            },
            match c {
                Channel::Instagram if p.hold_until_accepted => "yes".into(),
                Channel::Instagram => "no".into(),
                _ => dash(),
            },
        ]
    };
    let columns = Channel::ALL.iter().map(|&c| column(c)).collect::<Vec<_>>();
    let names = [
        "standard window (W)",
        "human-agent extension (E)",
        "private-reply validity (P)",
        "hold until accepted (H)",
    ];
    let mut out = format!("{:<28}", "parameter");
    for c in Channel::ALL {
        out.push_str(&format!("{:>12}", c.as_str()));
    }
    out.push('\n');
    for (i, name) in names.iter().enumerate() {
        out.push_str(&format!("{name:<28}"));
        for col in &columns {
            out.push_str(&format!("{:>12}", col[i]));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::HOUR;

    #[test]
    fn the_table_has_a_column_per_channel_with_its_numbers() {
        let mut policy = Policy::meta();
        policy.facebook.window = 36 * HOUR;
        policy.instagram.human_agent_extension = None;
        let t = policy_table(&policy);
        let lines: Vec<Vec<&str>> = t.lines().map(|l| l.split_whitespace().collect()).collect();
        assert_eq!(lines[0], ["parameter", "whatsapp", "facebook", "instagram"]);
        let row = |name: &str| -> Vec<&str> {
            let line = t.lines().find(|l| l.starts_with(name)).unwrap();
            line[28..].split_whitespace().collect()
        };
        assert_eq!(row("standard window"), ["24h", "36h", "24h"]);
        assert_eq!(row("human-agent extension"), ["—", "7d", "none"]);
        assert_eq!(row("private-reply validity"), ["—", "7d", "7d"]);
        assert_eq!(row("hold until accepted"), ["—", "—", "yes"]);
    }
}
