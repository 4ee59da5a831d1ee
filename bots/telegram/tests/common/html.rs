//! Telegram's HTML parse mode, checked strictly: only the tags Telegram supports, properly
//! nested and closed; `<`, `>` and `&` only as tags or entities. Returns the text a person
//! would see.

const TAGS: &[&str] = &[
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "a",
    "code",
    "pre",
    "span",
    "tg-spoiler",
    "tg-emoji",
    "blockquote",
];

pub fn parse(html: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        match c {
            '<' => {
                let end = rest
                    .find('>')
                    .ok_or_else(|| "Can't find end of the tag".to_string())?;
                let inner = &rest[1..end];
                if inner.contains('<') {
                    return Err("Unexpected < inside a tag".into());
                }
                if let Some(name) = inner.strip_prefix('/') {
                    match stack.pop() {
                        Some(open) if open == name.trim() => {}
                        Some(open) => {
                            return Err(format!(
                                "Unmatched end tag: expected </{open}>, found </{name}>"
                            ));
                        }
                        None => return Err(format!("Unexpected end tag </{name}>")),
                    }
                } else {
                    let name: String = inner
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                        .collect();
                    if !TAGS.contains(&name.as_str()) {
                        return Err(format!("Unsupported start tag \"{name}\""));
                    }
                    let attrs = inner[name.len()..].trim();
                    if name == "a" {
                        let href = attrs
                            .strip_prefix("href=\"")
                            .and_then(|a| a.strip_suffix('"'))
                            .ok_or_else(|| "a tag without a quoted href".to_string())?;
                        if href.contains('"') {
                            return Err("Bad href".into());
                        }
                        check_entities(href)?;
                    } else if !attrs.is_empty() && name != "span" && name != "pre" && name != "code"
                    {
                        return Err(format!("Unexpected attributes on <{name}>"));
                    }
                    stack.push(name);
                }
                rest = &rest[end + 1..];
            }
            '>' => return Err("Unexpected >".into()),
            '&' => {
                let end = rest
                    .find(';')
                    .ok_or_else(|| "Unsupported entity: no ;".to_string())?;
                let entity = &rest[..=end];
                out.push_str(&decode(entity)?);
                rest = &rest[end + 1..];
            }
            c => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    if let Some(open) = stack.pop() {
        return Err(format!(
            "Can't find end tag corresponding to start tag \"{open}\""
        ));
    }
    Ok(out)
}

fn check_entities(s: &str) -> Result<(), String> {
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        let end = rest[i..]
            .find(';')
            .ok_or("Unsupported entity in attribute")?;
        decode(&rest[i..i + end + 1])?;
        rest = &rest[i + end + 1..];
    }
    if s.contains('<') || s.contains('>') {
        return Err("< or > in attribute".into());
    }
    Ok(())
}

fn decode(entity: &str) -> Result<String, String> {
    Ok(match entity {
        "&lt;" => "<".into(),
        "&gt;" => ">".into(),
        "&amp;" => "&".into(),
        "&quot;" => "\"".into(),
        e if e.starts_with("&#x") => {
            let n = u32::from_str_radix(&e[3..e.len() - 1], 16)
                .map_err(|_| format!("Bad entity {e}"))?;
            char::from_u32(n).ok_or("Bad code point")?.to_string()
        }
        e if e.starts_with("&#") => {
            let n: u32 = e[2..e.len() - 1]
                .parse()
                .map_err(|_| format!("Bad entity {e}"))?;
            char::from_u32(n).ok_or("Bad code point")?.to_string()
        }
        e => return Err(format!("Unsupported entity {e}")),
    })
}
