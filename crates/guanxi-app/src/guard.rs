//! Panics turned into reasons, and names made safe to print on one line.

/// A file name or reason as one line of a terminal: control characters (a newline, an escape
/// sequence) and bidirectional overrides in a hostile file name are shown as `\u{…}`, not
/// obeyed. The JSON report keeps names exact.
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let hostile = |c: char| {
        c.is_control()
            || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' | '\u{200e}' | '\u{200f}' | '\u{61c}')
    };
    if !s.chars().any(hostile) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars()
            .map(|c| {
                if hostile(c) {
                    c.escape_unicode().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

thread_local! {
    static PANIC_MESSAGE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, turning a panic into a one-line reason instead of ending the process.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> std::result::Result<T, String> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            PANIC_MESSAGE.with(|p| *p.borrow_mut() = Some(format!("{msg}{at}")));
        }))
    });
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|_| {
        let msg = PANIC_MESSAGE
            .with(|p| p.borrow_mut().take())
            .unwrap_or_default();
        format!(
            "internal error, please report it with this file ({})",
            msg.lines().next().unwrap_or("")
        )
    })
}
