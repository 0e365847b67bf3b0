//! The five parts of a seller's score.

use serde::{Deserialize, Serialize};
use std::{fmt, str::FromStr};

/// One of the five scored components, named as in the seeds (`p_score` ... `i_score`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Component {
    /// Planning: forecasts sent on time and how accurate they were.
    #[serde(rename = "p_score")]
    P,
    /// Orders pushed to the warehouse on time.
    #[serde(rename = "o_score")]
    O,
    /// How fast tickets get a first answer.
    #[serde(rename = "t_score")]
    T,
    /// Invoices paid on time.
    #[serde(rename = "f_score")]
    F,
    /// Inventory health: stock aging past 90 and 180 days.
    #[serde(rename = "i_score")]
    I,
}

impl Component {
    /// All five, in the order the seeds list them.
    pub const ALL: [Component; 5] = [
        Component::P,
        Component::O,
        Component::T,
        Component::F,
        Component::I,
    ];

    /// The wire name, e.g. `"o_score"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Component::P => "p_score",
            Component::O => "o_score",
            Component::T => "t_score",
            Component::F => "f_score",
            Component::I => "i_score",
        }
    }

    /// Position in [`Component::ALL`], for array-backed maps.
    pub fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for Component {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The name was not one of `p_score`, `o_score`, `t_score`, `f_score`, `i_score`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown score component `{0}`: expected one of p_score, o_score, t_score, f_score, i_score"
)]
pub struct UnknownComponent(pub String);

impl FromStr for Component {
    type Err = UnknownComponent;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Component::ALL
            .into_iter()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownComponent(s.to_owned()))
    }
}

/// One value per component, stored in an array so lookups cost nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PerComponent<T> {
    /// Planning.
    pub p_score: T,
    /// Orders.
    pub o_score: T,
    /// Tickets.
    pub t_score: T,
    /// Finance.
    pub f_score: T,
    /// Inventory.
    pub i_score: T,
}

impl<T> PerComponent<T> {
    /// The value for `c`.
    pub fn get(&self, c: Component) -> &T {
        match c {
            Component::P => &self.p_score,
            Component::O => &self.o_score,
            Component::T => &self.t_score,
            Component::F => &self.f_score,
            Component::I => &self.i_score,
        }
    }

    /// The value for `c`, mutably.
    pub fn get_mut(&mut self, c: Component) -> &mut T {
        match c {
            Component::P => &mut self.p_score,
            Component::O => &mut self.o_score,
            Component::T => &mut self.t_score,
            Component::F => &mut self.f_score,
            Component::I => &mut self.i_score,
        }
    }

    /// Builds each value from its component.
    pub fn from_fn(mut f: impl FnMut(Component) -> T) -> Self {
        Self {
            p_score: f(Component::P),
            o_score: f(Component::O),
            t_score: f(Component::T),
            f_score: f(Component::F),
            i_score: f(Component::I),
        }
    }

    /// `(component, value)` pairs in [`Component::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (Component, &T)> {
        Component::ALL.into_iter().map(move |c| (c, self.get(c)))
    }
}
