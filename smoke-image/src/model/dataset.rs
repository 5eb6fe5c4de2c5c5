//! The training data: Fisher's Iris measurements, shipped as `data/iris.csv`.

use thiserror::Error;

use super::{CLASSES, FEATURES};

/// `data/iris.csv`: a header, then 150 rows of four measurements and a species.
pub const IRIS_CSV: &str = include_str!("../../data/iris.csv");

/// One labelled row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    pub features: [f64; FEATURES],
    pub class_index: usize,
}

/// The parsed CSV: feature names from the header, classes in order of first appearance.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub feature_names: [String; FEATURES],
    pub classes: [String; CLASSES],
    pub samples: Vec<Sample>,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum DatasetError {
    #[error("the header must name {FEATURES} features and the class column")]
    Header,
    #[error("line {line}: {reason}")]
    Row { line: usize, reason: String },
    #[error("expected exactly {CLASSES} classes, found {0:?}")]
    ClassCount(Vec<String>),
}

/// Which rows are held out for evaluation: every fifth (rows 5, 10, …, 150, counting
/// from 1). The CSV lists species in blocks of 50, so this holds out 10 of each.
pub fn is_holdout(row_index: usize) -> bool {
    row_index % 5 == 4
}

impl Dataset {
    /// The shipped Iris data.
    pub fn iris() -> Result<Self, DatasetError> {
        Self::parse_csv(IRIS_CSV)
    }

    pub fn parse_csv(text: &str) -> Result<Self, DatasetError> {
        let mut lines = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty());
        let (_, header) = lines.next().ok_or(DatasetError::Header)?;
        let columns: Vec<&str> = header.split(',').map(str::trim).collect();
        if columns.len() != FEATURES + 1 {
            return Err(DatasetError::Header);
        }
        let feature_names = std::array::from_fn(|i| columns[i].to_owned());

        let mut class_names: Vec<String> = Vec::new();
        let mut samples = Vec::new();
        for (index, line) in lines {
            let row_error = |reason: String| DatasetError::Row {
                line: index + 1,
                reason,
            };
            let cells: Vec<&str> = line.split(',').map(str::trim).collect();
            if cells.len() != FEATURES + 1 {
                return Err(row_error(format!(
                    "expected {} cells, found {}",
                    FEATURES + 1,
                    cells.len()
                )));
            }
            let mut features = [0.0; FEATURES];
            for (slot, cell) in features.iter_mut().zip(&cells) {
                *slot = cell
                    .parse::<f64>()
                    .map_err(|_| row_error(format!("{cell:?} is not a number")))?;
            }
            let class = cells[FEATURES];
            let class_index = match class_names.iter().position(|known| known == class) {
                Some(position) => position,
                None => {
                    class_names.push(class.to_owned());
                    class_names.len() - 1
                }
            };
            samples.push(Sample {
                features,
                class_index,
            });
        }
        let classes: [String; CLASSES] =
            class_names.try_into().map_err(DatasetError::ClassCount)?;
        Ok(Self {
            feature_names,
            classes,
            samples,
        })
    }

    /// (training rows, held-out rows), split by [`is_holdout`].
    pub fn split(&self) -> (Vec<Sample>, Vec<Sample>) {
        let (held_out, trained_on): (Vec<_>, Vec<_>) = self
            .samples
            .iter()
            .enumerate()
            .partition(|(index, _)| is_holdout(*index));
        let strip = |rows: Vec<(usize, &Sample)>| rows.into_iter().map(|(_, s)| *s).collect();
        (strip(trained_on), strip(held_out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_csv_is_fishers_table() {
        let iris = Dataset::iris().unwrap();
        assert_eq!(iris.samples.len(), 150);
        assert_eq!(iris.classes, ["setosa", "versicolor", "virginica"]);
        assert_eq!(
            iris.feature_names,
            [
                "sepal_length_cm",
                "sepal_width_cm",
                "petal_length_cm",
                "petal_width_cm"
            ]
        );
        for class in 0..CLASSES {
            let count = iris
                .samples
                .iter()
                .filter(|s| s.class_index == class)
                .count();
            assert_eq!(count, 50);
        }
        assert_eq!(iris.samples[0].features, [5.1, 3.5, 1.4, 0.2]);
        assert_eq!(iris.samples[149].features, [5.9, 3.0, 5.1, 1.8]);
    }

    #[test]
    fn the_split_holds_out_ten_of_each_species() {
        let (train, test) = Dataset::iris().unwrap().split();
        assert_eq!((train.len(), test.len()), (120, 30));
        for class in 0..CLASSES {
            assert_eq!(test.iter().filter(|s| s.class_index == class).count(), 10);
        }
    }

    #[test]
    fn malformed_rows_are_reported_with_their_line() {
        let text = "a,b,c,d,species\n1,2,3,4,x\n1,2,three,4,y\n";
        assert_eq!(
            Dataset::parse_csv(text),
            Err(DatasetError::Row {
                line: 3,
                reason: "\"three\" is not a number".into()
            })
        );
        assert_eq!(Dataset::parse_csv("a,b\n"), Err(DatasetError::Header));
        assert!(matches!(
            Dataset::parse_csv("a,b,c,d,s\n1,2,3,4,x\n"),
            Err(DatasetError::ClassCount(_))
        ));
    }
}
