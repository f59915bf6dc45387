//! The taxonomy of `TAXONOMY.md`: axes and their label codes.

use serde::{Deserialize, Serialize};

/// One of the four things BuyerLens tells about a buyer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Axis {
    /// Purchase motives: multi-label.
    Motive,
    /// Online-shopping experience: exactly one.
    Experience,
    /// Purchase intent: exactly one.
    Intent,
    /// Routine question topics: multi-label.
    Topic,
}

impl Axis {
    /// The code used in JSON and in the database.
    pub fn code(self) -> &'static str {
        match self {
            Axis::Motive => "motive",
            Axis::Experience => "experience",
            Axis::Intent => "intent",
            Axis::Topic => "topic",
        }
    }
}

macro_rules! labels {
    ($($variant:ident => $code:literal, $zh:literal, $axis:ident;)*) => {
        /// A label code of `TAXONOMY.md`. Codes are unique across axes.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Label {
            $(
                #[doc = $zh]
                #[serde(rename = $code)]
                $variant,
            )*
        }

        impl Label {
            /// Every label, in taxonomy order.
            pub const ALL: &'static [Label] = &[$(Label::$variant),*];

            /// The stable English code (`bargain`, `novice`, ...).
            pub fn code(self) -> &'static str {
                match self { $(Label::$variant => $code),* }
            }

            /// The Simplified Chinese label users see (`求廉`, `新手`, ...).
            pub fn zh(self) -> &'static str {
                match self { $(Label::$variant => $zh),* }
            }

            /// The axis this label belongs to.
            pub fn axis(self) -> Axis {
                match self { $(Label::$variant => Axis::$axis),* }
            }

            /// Looks a label up by its code.
            pub fn from_code(code: &str) -> Option<Label> {
                match code { $($code => Some(Label::$variant),)* _ => None }
            }
        }
    };
}

labels! {
    Practical => "practical", "求实", Motive;
    Aesthetic => "aesthetic", "求美", Motive;
    Prestige => "prestige", "求名", Motive;
    Bargain => "bargain", "求廉", Motive;
    Safety => "safety", "求安", Motive;
    Novelty => "novelty", "求新", Motive;
    Speed => "speed", "求速", Motive;
    Conformity => "conformity", "求同", Motive;
    Habit => "habit", "求惯", Motive;
    Novice => "novice", "新手", Experience;
    Experienced => "experienced", "熟手", Experience;
    ExperienceUnknown => "unknown", "未知", Experience;
    Shopper => "shopper", "购物者", Intent;
    InfoSeeker => "info_seeker", "打听信息者", Intent;
    NonBuyer => "non_buyer", "非购买意向者", Intent;
    Stock => "stock", "库存", Topic;
    Size => "size", "尺码", Topic;
    Quality => "quality", "材质/描述", Topic;
    Shipping => "shipping", "发货物流", Topic;
    Discount => "discount", "优惠赠品", Topic;
    Returns => "returns", "退换货", Topic;
}

impl Label {
    /// The labels of one axis, in taxonomy order.
    pub fn of_axis(axis: Axis) -> impl Iterator<Item = Label> {
        Label::ALL.iter().copied().filter(move |l| l.axis() == axis)
    }

    /// Looks a label up by code within one axis.
    pub fn from_axis_code(axis: Axis, code: &str) -> Option<Label> {
        Label::from_code(code).filter(|l| l.axis() == axis)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Codes round-trip and are unique, so JSON and the DB can key on them.
    #[test]
    fn codes_round_trip() {
        for &label in Label::ALL {
            assert_eq!(Label::from_code(label.code()), Some(label));
        }
        assert_eq!(Label::of_axis(Axis::Motive).count(), 9);
        assert_eq!(Label::of_axis(Axis::Topic).count(), 6);
        assert_eq!(
            serde_json::to_string(&Label::InfoSeeker).unwrap(),
            "\"info_seeker\""
        );
    }
}
