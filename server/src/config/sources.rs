//! Where settings come from: command-line flags and environment variables (through clap), and
//! the `steward.toml` file. Both give each setting as text; `Config::resolve` reads it.

use std::{collections::BTreeMap, path::Path};

use clap::{Arg, ArgMatches, Args, Command, FromArgMatches};

use super::{
    ConfigError,
    settings::{ALL, Setting, Spec},
};

/// The settings given on the command line or in the environment, as text by file key, and the
/// files that hold secret settings (`*_FILE`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SettingArgs {
    values: BTreeMap<&'static str, String>,
    files: BTreeMap<&'static str, String>,
}

impl SettingArgs {
    /// These args with `setting` given as `value`, as if on the command line.
    pub fn with<T>(mut self, setting: &Setting<T>, value: &str) -> Self {
        self.values.insert(setting.spec.name.key, value.to_owned());
        self
    }

    /// These args with the secret `setting` read from the file at `path`, as `*_FILE` gives it.
    pub fn with_file<T>(mut self, setting: &Setting<T>, path: &str) -> Self {
        self.files.insert(setting.spec.name.key, path.to_owned());
        self
    }

    pub(super) fn get(&self, spec: &Spec) -> Option<&str> {
        self.values.get(spec.name.key).map(String::as_str)
    }

    pub(super) fn get_file(&self, spec: &Spec) -> Option<&str> {
        self.files.get(spec.name.key).map(String::as_str)
    }
}

/// The clap ID, flag, environment variable and file key of a secret setting's `*_FILE` form.
/// clap wants them `'static`; they are made once per command-line definition.
fn file_names(spec: &Spec) -> (&'static str, &'static str, &'static str) {
    let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
    (
        leak(format!("{}_file", spec.name.key)),
        leak(format!("{}-file", spec.name.flag)),
        leak(format!("{}_FILE", spec.name.env)),
    )
}

impl Spec {
    /// The flag (with its environment variable) that gives this setting.
    fn arg(&self) -> Arg {
        let help = match self.default {
            Some(default) => format!("{} [default: {default}]", self.help.trim()),
            _ => self.help.trim().to_owned(),
        };
        let arg = Arg::new(self.name.key)
            .long(self.name.flag)
            .env(self.name.env)
            .value_name(self.value_name)
            .help(help)
            .hide_env_values(self.secret)
            .global(true);
        if self.value_name == "BOOL" {
            // `--sandbox` alone means true; a value must follow an `=`, so a subcommand after
            // the flag is never taken for its value.
            arg.num_args(0..=1)
                .require_equals(true)
                .default_missing_value("true")
        } else {
            arg
        }
    }
}

impl Spec {
    /// The flag (with its environment variable) that names a file holding this secret setting.
    fn file_arg(&self) -> Arg {
        let (id, flag, env) = file_names(self);
        Arg::new(id)
            .long(flag)
            .env(env)
            .value_name("FILE")
            .help(format!(
                "File holding {}, instead of the value itself",
                self.name.env
            ))
            .global(true)
    }
}

impl Args for SettingArgs {
    fn augment_args(command: Command) -> Command {
        command
            .args(ALL.iter().map(Spec::arg))
            .args(ALL.iter().filter(|spec| spec.secret).map(Spec::file_arg))
    }

    fn augment_args_for_update(command: Command) -> Command {
        Self::augment_args(command)
    }
}

impl FromArgMatches for SettingArgs {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut args = Self::default();
        args.update_from_arg_matches(matches)?;
        Ok(args)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for spec in ALL {
            if let Some(value) = matches.get_one::<String>(spec.name.key) {
                self.values.insert(spec.name.key, value.clone());
            }
            if spec.secret
                && let Some(path) = matches.get_one::<String>(&format!("{}_file", spec.name.key))
            {
                self.files.insert(spec.name.key, path.clone());
            }
        }
        Ok(())
    }
}

/// The settings in `steward.toml`, as text by key: a list is read as its items joined by commas.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSettings(BTreeMap<String, String>);

impl FileSettings {
    /// Reads a settings file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: path.to_owned(),
            problem: e.to_string(),
        })?;
        Self::parse(&text).map_err(|problem| ConfigError::File {
            path: path.to_owned(),
            problem,
        })
    }

    /// Reads settings in TOML, refusing keys that are no setting's and values that are not text,
    /// numbers, booleans or lists of text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut settings = BTreeMap::new();
        for (key, value) in table {
            let known = ALL.iter().any(|spec| {
                spec.name.key == key
                    || (spec.secret && key.strip_suffix("_file") == Some(spec.name.key))
            });
            if !known {
                return Err(format!("unknown setting `{key}`"));
            }
            let text = match value {
                toml::Value::String(text) => text,
                toml::Value::Integer(n) => n.to_string(),
                toml::Value::Boolean(b) => b.to_string(),
                toml::Value::Array(items) => items
                    .into_iter()
                    .map(|item| match item {
                        toml::Value::String(text) => Ok(text),
                        other => Err(format!("`{key}` lists {other}, which is not text")),
                    })
                    .collect::<Result<Vec<_>, _>>()?
                    .join(","),
                other => return Err(format!("`{key}` is {other}, which is not a setting value")),
            };
            settings.insert(key, text);
        }
        Ok(Self(settings))
    }

    pub(super) fn get(&self, spec: &Spec) -> Option<&str> {
        self.0.get(spec.name.key).map(String::as_str)
    }

    pub(super) fn get_file(&self, spec: &Spec) -> Option<&str> {
        self.0
            .get(&format!("{}_file", spec.name.key))
            .map(String::as_str)
    }
}
