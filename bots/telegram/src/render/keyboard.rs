//! The inline keyboard: one button per row, callback data from the core's payloads.

use signpost::reply::Suggestion;
use teloxide::types::{InlineKeyboardButton, InlineKeyboardMarkup};

/// Telegram's limit on a button's callback data, in bytes.
pub const MAX_CALLBACK_DATA: usize = 64;

/// At most this many buttons under one message.
pub const MAX_BUTTONS: usize = 12;

/// The buttons: one per row (labels are long sentences), callback data from
/// [`signpost::Action::encode`]. Buttons whose data would not fit Telegram's 64 bytes are left
/// off rather than sent broken.
pub fn keyboard(suggestions: &[Suggestion]) -> Option<InlineKeyboardMarkup> {
    let rows: Vec<Vec<InlineKeyboardButton>> = suggestions
        .iter()
        .filter_map(|s| {
            let data = s.action.encode();
            if data.len() > MAX_CALLBACK_DATA {
                tracing::warn!(event = "button_dropped", reason = "callback_data_too_long");
                return None;
            }
            let label = s.label.trim();
            let label = if label.is_empty() { "More" } else { label };
            Some(vec![InlineKeyboardButton::callback(
                label.to_string(),
                data,
            )])
        })
        .take(MAX_BUTTONS)
        .collect();
    (!rows.is_empty()).then(|| InlineKeyboardMarkup::new(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use signpost::Action;

    #[test]
    fn buttons_carry_payloads_and_overlong_ones_are_left_off() {
        let suggestions = [
            Suggestion::crisis(),
            Suggestion {
                label: "Too long".into(),
                action: Action::Entry("x".repeat(80)),
            },
            Suggestion {
                label: "  ".into(),
                action: Action::Entry("other".into()),
            },
        ];
        let markup = keyboard(&suggestions).unwrap();
        let rows: Vec<(String, String)> = markup
            .inline_keyboard
            .iter()
            .map(|row| match &row[0].kind {
                teloxide::types::InlineKeyboardButtonKind::CallbackData(d) => {
                    (row[0].text.clone(), d.clone())
                }
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("Emergency lines".to_string(), "crisis".to_string()),
                ("More".to_string(), "e:other".to_string())
            ]
        );
        assert!(keyboard(&[]).is_none());
    }
}
