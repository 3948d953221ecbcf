//! The numbers of the rules, per channel; Meta's are the default.

use serde::Deserialize;

use super::Channel;
use crate::time::{DAY, HOUR, Instant, Millis, format_duration, parse_duration};

/// One channel's numbers and switches (rules.md, "Policy").
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ChannelPolicy {
    /// `W`: the standard window after the customer's latest message.
    pub window: Millis,
    /// `E`: how long a human's tagged, related message may still be delivered after the
    /// customer's latest message; `None` on WhatsApp or when switched off.
    pub human_agent_extension: Option<Millis>,
    /// `P`: how long a comment's private-reply credit lasts (unused on WhatsApp).
    pub private_reply_validity: Millis,
    /// `H`: a message after a private reply waits until the customer accepts or writes.
    pub hold_until_accepted: bool,
}

/// The policy of all three channels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    pub whatsapp: ChannelPolicy,
    pub facebook: ChannelPolicy,
    pub instagram: ChannelPolicy,
}

impl ChannelPolicy {
    /// The end (exclusive) of the private-reply credit of a comment made at `comment_at`.
    pub const fn credit_end(&self, comment_at: Instant) -> Instant {
        comment_at.plus(self.private_reply_validity)
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy::meta()
    }
}

impl Policy {
    /// Meta's published numbers: 24 h windows, a 7-day human-agent extension and 7-day
    /// private replies on Facebook and Instagram, and Instagram's hold until accepted.
    pub const fn meta() -> Policy {
        let social = ChannelPolicy {
            window: 24 * HOUR,
            human_agent_extension: Some(7 * DAY),
            private_reply_validity: 7 * DAY,
            hold_until_accepted: false,
        };
        Policy {
            whatsapp: ChannelPolicy {
                window: 24 * HOUR,
                human_agent_extension: None,
                private_reply_validity: 7 * DAY,
                hold_until_accepted: false,
            },
            facebook: social,
            instagram: ChannelPolicy {
                hold_until_accepted: true,
                ..social
            },
        }
    }

    /// The numbers of one channel.
    pub const fn channel(&self, channel: Channel) -> &ChannelPolicy {
        match channel {
            Channel::WhatsApp => &self.whatsapp,
            Channel::Facebook => &self.facebook,
            Channel::Instagram => &self.instagram,
        }
    }

    /// The policy file that states every number of this policy, read back as the same
    /// policy by [`Policy::from_toml`].
    ///
    /// ```
    /// use replywindow::rules::Policy;
    /// let text = Policy::meta().to_toml();
    /// assert!(text.contains("[instagram]\nwindow = \"24h\""));
    /// assert_eq!(Policy::from_toml(&text), Ok(Policy::meta()));
    /// ```
    pub fn to_toml(&self) -> String {
        let social = |name: &str, p: &ChannelPolicy| {
            format!(
                "[{name}]\nwindow = \"{}\"\nhuman_agent_extension = \"{}\"\n\
                 private_reply_validity = \"{}\"\n",
                format_duration(p.window),
                p.human_agent_extension
                    .map_or("none".into(), format_duration),
                format_duration(p.private_reply_validity)
            )
        };
        format!(
            "[whatsapp]\nwindow = \"{}\"\n\n{}\n{}hold_until_accepted = {}\n",
            format_duration(self.whatsapp.window),
            social("facebook", &self.facebook),
            social("instagram", &self.instagram),
            self.instagram.hold_until_accepted
        )
    }

    /// Reads a policy file's text (trace-format.md, "Policy file"); omitted keys keep Meta's
    /// default.
    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let raw: RawPolicy = toml::from_str(text).map_err(|e| PolicyError::Syntax {
            message: e.to_string().trim_end().to_string(),
        })?;
        raw.validate("")
    }
}

/// A policy that cannot be used: names the key and the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not TOML, an unknown key, or a value of the wrong type (toml's message says where).
    #[error("{message}")]
    Syntax { message: String },
    /// A duration that cannot be read.
    #[error("{key} = \"{value}\": {reason}")]
    Duration {
        key: String,
        value: String,
        reason: String,
    },
    /// The human-agent extension must outlast the standard window.
    #[error("{key} = \"{}\": must be longer than {window_key} ({}), or \"none\"", format_duration(*.extension), format_duration(*.window))]
    ExtensionNotLonger {
        key: String,
        extension: Millis,
        window_key: String,
        window: Millis,
    },
}

/// The policy as written in a file, before its values are checked.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawPolicy {
    #[serde(default)]
    whatsapp: Option<RawWhatsApp>,
    #[serde(default)]
    facebook: Option<RawSocial>,
    #[serde(default)]
    instagram: Option<RawInstagram>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWhatsApp {
    window: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSocial {
    window: Option<String>,
    human_agent_extension: Option<String>,
    private_reply_validity: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstagram {
    window: Option<String>,
    human_agent_extension: Option<String>,
    private_reply_validity: Option<String>,
    hold_until_accepted: Option<bool>,
}

impl RawPolicy {
    /// Checks the values; `prefix` is the key path of the policy table in its file (empty
    /// for a policy file, `policy.` inside a scenario).
    pub(crate) fn validate(&self, prefix: &str) -> Result<Policy, PolicyError> {
        let mut policy = Policy::meta();
        let duration = |key: &str, text: &str| -> Result<Millis, PolicyError> {
            parse_duration(text).map_err(|reason| PolicyError::Duration {
                key: format!("{prefix}{key}"),
                value: text.to_string(),
                reason,
            })
        };
        if let Some(w) = &self.whatsapp {
            if let Some(text) = &w.window {
                policy.whatsapp.window = duration("whatsapp.window", text)?;
            }
        }
        let social = |name: &str,
                      target: &mut ChannelPolicy,
                      window: &Option<String>,
                      extension: &Option<String>,
                      validity: &Option<String>|
         -> Result<(), PolicyError> {
            if let Some(text) = window {
                target.window = duration(&format!("{name}.window"), text)?;
            }
            if let Some(text) = extension {
                target.human_agent_extension = match text.as_str() {
                    "none" => None,
                    _ => Some(duration(&format!("{name}.human_agent_extension"), text)?),
                };
            }
            if let Some(text) = validity {
                target.private_reply_validity =
                    duration(&format!("{name}.private_reply_validity"), text)?;
            }
            Ok(())
        };
        if let Some(f) = &self.facebook {
            social(
                "facebook",
                &mut policy.facebook,
                &f.window,
                &f.human_agent_extension,
                &f.private_reply_validity,
            )?;
        }
        if let Some(i) = &self.instagram {
            social(
                "instagram",
                &mut policy.instagram,
                &i.window,
                &i.human_agent_extension,
                &i.private_reply_validity,
            )?;
            if let Some(hold) = i.hold_until_accepted {
                policy.instagram.hold_until_accepted = hold;
            }
        }
        for (name, p) in [
            ("facebook", &policy.facebook),
            ("instagram", &policy.instagram),
        ] {
            if let Some(e) = p.human_agent_extension.filter(|e| *e <= p.window) {
                return Err(PolicyError::ExtensionNotLonger {
                    key: format!("{prefix}{name}.human_agent_extension"),
                    extension: e,
                    window_key: format!("{prefix}{name}.window"),
                    window: p.window,
                });
            }
        }
        Ok(policy)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn omitted_keys_keep_the_default() {
        assert_eq!(Policy::from_toml(""), Ok(Policy::meta()));
        let p = Policy::from_toml("[facebook]\nhuman_agent_extension = \"none\"\n").unwrap();
        assert_eq!(p.facebook.human_agent_extension, None);
        assert_eq!(p.instagram, Policy::meta().instagram);
    }

    #[test]
    fn errors_name_the_key_and_value() {
        let cases = [
            (
                "[whatsapp]\nhuman_agent_extension = \"7d\"\n",
                "human_agent_extension",
            ),
            ("[telegram]\nwindow = \"1h\"\n", "telegram"),
            (
                "[facebook]\nwindow = \"soon\"\n",
                "facebook.window = \"soon\"",
            ),
            (
                "[facebook]\nhuman_agent_extension = \"12h\"\n",
                "facebook.human_agent_extension = \"12h\"",
            ),
            (
                "[instagram]\nwindow = \"0s\"\n",
                "instagram.window = \"0s\"",
            ),
            (
                "[instagram]\nhold_until_accepted = \"yes\"\n",
                "hold_until_accepted",
            ),
        ];
        for (text, needle) in cases {
            let err = Policy::from_toml(text).unwrap_err().to_string();
            assert!(err.contains(needle), "{err:?} should contain {needle:?}");
        }
    }
}
