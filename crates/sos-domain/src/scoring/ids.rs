//! The config rows a result was computed with.

use crate::{component::PerComponent, config::ConfigId};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// How many ids an [`IdList`] holds without a heap allocation: more than any default set
/// (5 tiers, 4 t-score bands, 5 f-score bands, 2 surcharge rules).
const INLINE_IDS: usize = 8;

/// The ids of a config set, in row order. Every result records a few of these, so a short list
/// lives inline and only a longer one allocates; it reads and writes as a plain JSON array.
pub struct IdList {
    len: usize,
    inline: [ConfigId; INLINE_IDS],
    more: Vec<ConfigId>,
}

impl Clone for IdList {
    fn clone(&self) -> Self {
        Self {
            len: self.len,
            inline: self.inline,
            // Every result copies its config ids: an empty overflow list is made, not copied
            // (copying even nothing is a call).
            more: if self.more.is_empty() {
                Vec::new()
            } else {
                self.more.clone()
            },
        }
    }
}

impl Default for IdList {
    fn default() -> Self {
        Self {
            len: 0,
            inline: [ConfigId(0); INLINE_IDS],
            more: Vec::new(),
        }
    }
}

impl IdList {
    /// The ids, in row order.
    pub fn iter(&self) -> impl Iterator<Item = ConfigId> + '_ {
        self.inline[..self.len.min(INLINE_IDS)]
            .iter()
            .chain(&self.more)
            .copied()
    }

    /// How many ids.
    pub fn len(&self) -> usize {
        self.len + self.more.len()
    }

    /// True when no row id was used (built-in defaults).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The ids as a vector.
    pub fn to_vec(&self) -> Vec<ConfigId> {
        self.iter().collect()
    }

    fn push(&mut self, id: ConfigId) {
        match self.inline.get_mut(self.len) {
            Some(slot) => {
                *slot = id;
                self.len += 1;
            }
            None => self.more.push(id),
        }
    }
}

impl FromIterator<ConfigId> for IdList {
    fn from_iter<I: IntoIterator<Item = ConfigId>>(ids: I) -> Self {
        let mut list = IdList::default();
        for id in ids {
            list.push(id);
        }
        list
    }
}

impl PartialEq for IdList {
    fn eq(&self, other: &Self) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

impl Eq for IdList {}

impl fmt::Debug for IdList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for IdList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de> Deserialize<'de> for IdList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(Vec::<ConfigId>::deserialize(d)?.into_iter().collect())
    }
}

/// The p-score rows of both campaign types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PScoreIds {
    /// The major-campaign row.
    pub major_campaign: Option<ConfigId>,
    /// The mini-campaign row.
    pub mini_campaign: Option<ConfigId>,
}

/// Every config row a calculation consulted, so the result can be reproduced after the
/// config changed. `None` (or an empty list) means the built-in default was used.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConfigIds {
    /// The score-weights row of each component.
    pub score_weights: PerComponent<Option<ConfigId>>,
    /// The tier set the tier was picked from.
    pub tiers: IdList,
    /// The p-score rows.
    pub p_score: PScoreIds,
    /// The o-score row.
    pub o_score: Option<ConfigId>,
    /// The t-score band set.
    pub t_score: IdList,
    /// The f-score band set.
    pub f_score: IdList,
    /// The i-score row.
    pub i_score: Option<ConfigId>,
    /// The grace-period row.
    pub grace_period: Option<ConfigId>,
    /// Every surcharge rule evaluated.
    pub surcharges: IdList,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lists_read_back_as_json_arrays() {
        for n in [0, 1, INLINE_IDS, INLINE_IDS + 3] {
            let list: IdList = (1..=n as i64).map(ConfigId).collect();
            assert_eq!(list.len(), n);
            assert_eq!(
                list.to_vec(),
                (1..=n as i64).map(ConfigId).collect::<Vec<_>>()
            );
            let json = serde_json::to_string(&list).unwrap();
            assert_eq!(json, serde_json::to_string(&list.to_vec()).unwrap());
            assert_eq!(serde_json::from_str::<IdList>(&json).unwrap(), list);
            assert_eq!(format!("{list:?}"), format!("{:?}", list.to_vec()));
            let copy = list.clone();
            assert_eq!((copy.len(), copy.to_vec()), (list.len(), list.to_vec()));
        }
    }
}
