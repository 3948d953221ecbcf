//! Editing a scenario's TOML by key path (`operators.shifts[1].operators`,
//! `operators.shifts[weekend].operators`): what sweeps vary and plans set.

/// An entry of a list in a key path: by position (`shifts[1]`) or by its `name`
/// (`shifts[weekend]`).
enum Entry<'a> {
    Index(usize),
    Named(&'a str),
}

/// Sets `key` (a path like `operators.shifts[1].operators` or
/// `operators.shifts[weekend].operators`) in `table`.
pub fn set_key(table: &mut toml::Table, key: &str, value: toml::Value) -> Result<(), String> {
    let parts: Vec<&str> = key.split('.').collect();
    let mut here: &mut toml::Table = table;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let (name, entry) = match part.split_once('[') {
            Some((name, rest)) => {
                let inside = rest
                    .strip_suffix(']')
                    .filter(|t| !t.is_empty())
                    .ok_or_else(|| format!("`{part}` is not NAME[INDEX] or NAME[ENTRY NAME]"))?;
                let entry = match inside.parse::<usize>() {
                    Ok(i) => Entry::Index(i),
                    Err(_) => Entry::Named(inside),
                };
                (name, Some(entry))
            }
            None => (*part, None),
        };
        match entry {
            None if last => {
                here.insert(name.to_string(), value);
                return Ok(());
            }
            None => {
                let entry = here
                    .entry(name.to_string())
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                here = entry
                    .as_table_mut()
                    .ok_or_else(|| format!("`{name}` is not a table"))?;
            }
            Some(entry) => {
                let array = here
                    .get_mut(name)
                    .and_then(toml::Value::as_array_mut)
                    .ok_or_else(|| format!("the scenario has no list `{name}`"))?;
                let len = array.len();
                let slot = match entry {
                    Entry::Index(idx) => array.get_mut(idx).ok_or_else(|| {
                        format!("`{name}` has {len} entries, so [{idx}] does not exist")
                    })?,
                    Entry::Named(wanted) => {
                        let names: Vec<String> = array
                            .iter()
                            .filter_map(|e| e.get("name").and_then(toml::Value::as_str))
                            .map(str::to_string)
                            .collect();
                        array
                            .iter_mut()
                            .find(|e| e.get("name").and_then(toml::Value::as_str) == Some(wanted))
                            .ok_or_else(|| {
                                format!(
                                    "`{name}` has no entry named `{wanted}` (its names: {})",
                                    if names.is_empty() {
                                        "none".to_string()
                                    } else {
                                        names.join(", ")
                                    }
                                )
                            })?
                    }
                };
                if last {
                    *slot = value;
                    return Ok(());
                }
                here = slot
                    .as_table_mut()
                    .ok_or_else(|| format!("`{part}` is not a table"))?;
            }
        }
    }
    Ok(())
}
