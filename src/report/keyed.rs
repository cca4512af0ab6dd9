//! CSV files whose rows may start with key columns (a sweep point's
//! `param,value`) before one serialised record, and reading them back.

use super::atomic::{Content, ReadSeek};
use anyhow::{anyhow, Context, Result};
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::fs::File;
use std::io::BufWriter;
use std::marker::PhantomData;
use std::path::{Path, PathBuf};

/// Leading `(column, value)` pairs of a row, e.g. `[("param", "queue.nodes"), ("value", "20")]`.
pub(crate) type Keys = Vec<(String, String)>;

/// Data of one sweep point (its keys) and variant.
pub(crate) struct Labelled<T> {
    pub(crate) keys: Keys,
    pub(crate) variant: String,
    pub(crate) data: T,
}

/// Writes one row per item of every series: `row(variant, item)`.
pub(crate) fn write_series<P, T: Serialize + Default>(
    series: &[Labelled<Vec<P>>],
    row: impl Fn(&str, &P) -> T,
) -> Result<Vec<u8>> {
    let row = &row;
    let rows: Vec<(&Keys, T)> = series
        .iter()
        .flat_map(|s| s.data.iter().map(move |p| (&s.keys, row(&s.variant, p))))
        .collect();
    write(&rows.iter().map(|(k, r)| (*k, r)).collect::<Vec<_>>())
}

/// Writes `rows` as CSV: the key columns (named by the first row), then `T`'s
/// fields. With no rows, only `T`'s header is written.
pub(crate) fn write<T: Serialize + Default>(rows: &[(&Keys, &T)]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    let mut head: Vec<String> = rows
        .first()
        .map(|(k, _)| k.iter().map(|(n, _)| n.clone()).collect())
        .unwrap_or_default();
    head.extend(header_of(&T::default())?);
    w.write_record(&head)?;
    for (keys, row) in rows {
        for (_, v) in keys.iter() {
            w.write_field(v)?;
        }
        w.serialize(row)?;
    }
    Ok(w.into_inner()?)
}

/// Writes the rows of a CSV file one at a time, as [`write`] would write
/// them all at once (same bytes): the header is written with the first row,
/// whose keys name the key columns, or by [`RowWriter::finish`] when no row
/// came. For files with a row per run, which must not be held in memory.
pub(crate) struct RowWriter<T> {
    w: csv::Writer<BufWriter<File>>,
    path: PathBuf,
    rows: u64,
    row_type: PhantomData<fn(&T)>,
}

impl<T: Serialize + Default> RowWriter<T> {
    pub(crate) fn create(path: &Path) -> Result<RowWriter<T>> {
        let file =
            File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
        Ok(RowWriter {
            w: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(BufWriter::new(file)),
            path: path.to_path_buf(),
            rows: 0,
            row_type: PhantomData,
        })
    }

    pub(crate) fn write(&mut self, keys: &Keys, row: &T) -> Result<()> {
        self.try_write(keys, row)
            .with_context(|| format!("cannot write {}", self.path.display()))
    }

    fn try_write(&mut self, keys: &Keys, row: &T) -> Result<()> {
        if self.rows == 0 {
            self.header(keys)?;
        }
        for (_, v) in keys {
            self.w.write_field(v)?;
        }
        self.w.serialize(row)?;
        self.rows += 1;
        Ok(())
    }

    fn header(&mut self, keys: &Keys) -> Result<()> {
        let mut head: Vec<String> = keys.iter().map(|(n, _)| n.clone()).collect();
        head.extend(header_of(&T::default())?);
        Ok(self.w.write_record(&head)?)
    }

    /// Ends the file (a header alone when no row came) and returns it.
    pub(crate) fn finish(mut self) -> Result<Content> {
        if self.rows == 0 {
            self.header(&Keys::new())?;
        }
        let path = self.path.clone();
        self.w
            .flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(Content::File(path))
    }
}

/// A CSV file written by [`write`] or [`RowWriter`], read as a stream (never
/// held whole), as many times as its readers need: one csv reader for every
/// pass (building one costs about 270,000 instructions, its parser tables),
/// rewound to the first row between passes.
pub(crate) struct Records<'a> {
    r: csv::Reader<Box<dyn ReadSeek + 'a>>,
    header: Vec<String>,
    /// Where the first row starts.
    start: csv::Position,
    name: String,
}

impl<'a> Records<'a> {
    pub(crate) fn open(content: &'a Content, name: &str) -> Result<Records<'a>> {
        let mut r = csv::Reader::from_reader(content.reader()?);
        let header = r
            .headers()
            .with_context(|| format!("cannot read {name}"))?
            .iter()
            .map(str::to_string)
            .collect();
        let start = r.position().clone();
        Ok(Records {
            r,
            header,
            start,
            name: name.to_string(),
        })
    }

    pub(crate) fn header(&self) -> &[String] {
        &self.header
    }

    /// Back to the first row.
    pub(crate) fn rewind(&mut self) -> Result<()> {
        let name = &self.name;
        self.r
            .seek(self.start.clone())
            .with_context(|| format!("cannot read {name}"))
    }

    /// The next row as it stands, into `record`; false at the end.
    pub(crate) fn read(&mut self, record: &mut csv::StringRecord) -> Result<bool> {
        let name = &self.name;
        self.r
            .read_record(record)
            .with_context(|| format!("cannot read {name}"))
    }

    /// Each row from here to the end: `f` gets its point keys (the columns
    /// before `variant`) and a `T` read from the rest. Returns the number of
    /// rows. No rows, no `variant` column needed.
    pub(crate) fn for_each<T: DeserializeOwned>(
        &mut self,
        mut f: impl FnMut(Keys, T),
    ) -> Result<u64> {
        let mut record = csv::StringRecord::new();
        let mut rows = 0;
        let mut variant: Option<(usize, csv::StringRecord)> = None;
        while self.read(&mut record)? {
            let (v, head) = match &variant {
                Some(found) => found,
                None => {
                    let v = self
                        .header
                        .iter()
                        .position(|h| h == "variant")
                        .ok_or_else(|| anyhow!("{}: column `variant` is missing", self.name))?;
                    variant.insert((v, csv::StringRecord::from(self.header[v..].to_vec())))
                }
            };
            let keys = self.header[..*v]
                .iter()
                .zip(record.iter())
                .map(|(h, c)| (h.clone(), c.to_string()))
                .collect();
            let rest: csv::StringRecord = record.iter().skip(*v).collect();
            f(keys, rest.deserialize(Some(head))?);
            rows += 1;
        }
        Ok(rows)
    }
}

/// The column names `T` serialises to.
pub(crate) fn header_of<T: Serialize>(sample: &T) -> Result<Vec<String>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(sample)?;
    let bytes = w.into_inner()?;
    let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    // Field names are plain identifiers, written unquoted: the header line
    // splits at its commas. A csv reader would say the same, but building
    // one costs ~270,000 instructions (its parser tables), paid per call.
    if !line.iter().any(|b| matches!(b, b'"' | b'\r')) {
        let line = std::str::from_utf8(line)?;
        return Ok(line.split(',').map(str::to_string).collect());
    }
    let mut r = csv::Reader::from_reader(bytes.as_slice());
    Ok(r.headers()?.iter().map(str::to_string).collect())
}

/// A CSV file read back as text cells.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    pub(crate) header: Vec<String>,
    pub(crate) rows: Vec<csv::StringRecord>,
    /// The file's name, for messages.
    pub(crate) name: String,
}

impl Table {
    pub(crate) fn parse(bytes: &[u8], name: &str) -> Result<Table> {
        let mut r = csv::Reader::from_reader(bytes);
        let header = r
            .headers()
            .with_context(|| format!("cannot read {name}"))?
            .iter()
            .map(str::to_string)
            .collect();
        let rows = r
            .records()
            .collect::<Result<Vec<_>, _>>()
            .with_context(|| format!("cannot read {name}"))?;
        Ok(Table {
            header,
            rows,
            name: name.to_string(),
        })
    }

    pub(crate) fn col(&self, name: &str) -> Result<usize> {
        self.header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| anyhow!("{}: column `{name}` is missing", self.name))
    }

    /// Every row as the point keys (the columns before `variant`) and a
    /// `T` read from the rest. No rows, no `variant` column needed.
    pub(crate) fn records<T: DeserializeOwned>(&self) -> Result<Vec<(Keys, T)>> {
        if self.rows.is_empty() {
            return Ok(Vec::new());
        }
        let v = self.col("variant")?;
        let head = csv::StringRecord::from(self.header[v..].to_vec());
        self.rows
            .iter()
            .map(|r| {
                let keys = self.header[..v]
                    .iter()
                    .zip(r.iter())
                    .map(|(h, c)| (h.clone(), c.to_string()))
                    .collect();
                let rest: csv::StringRecord = r.iter().skip(v).collect();
                Ok((keys, rest.deserialize(Some(&head))?))
            })
            .collect()
    }

    /// A number, or `None` for an empty cell (a figure that does not exist).
    pub(crate) fn opt_num(&self, i: usize, col: usize) -> Result<Option<f64>> {
        if self.rows[i].get(col).unwrap_or("").is_empty() {
            return Ok(None);
        }
        self.num(i, col).map(Some)
    }

    pub(crate) fn num(&self, i: usize, col: usize) -> Result<f64> {
        let cell = self.rows[i].get(col).unwrap_or("");
        let line = self.rows[i].position().map_or(i as u64 + 2, |p| p.line());
        cell.parse().map_err(|_| {
            anyhow!(
                "{}:{line}: `{cell}` in column `{}` is not a number",
                self.name,
                self.header[col]
            )
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize, Default)]
    struct R {
        a: u32,
        b: f64,
    }

    #[test]
    fn keys_come_first_and_read_back() {
        let k: Keys = vec![("param".into(), "p".into()), ("value".into(), "1,2".into())];
        let bytes = write(&[(&k, &R { a: 1, b: 0.5 })]).unwrap();
        assert_eq!(
            String::from_utf8(bytes.clone()).unwrap(),
            "param,value,a,b\np,\"1,2\",1,0.5\n"
        );
        let t = Table::parse(&bytes, "t").unwrap();
        assert_eq!(t.num(0, t.col("b").unwrap()).unwrap(), 0.5);
        let t = Table::parse(b"a,b\n1,2\n3,\n", "t.csv").unwrap();
        let e = t.num(1, 1).unwrap_err().to_string();
        assert_eq!(e, "t.csv:3: `` in column `b` is not a number");
        let empty = write::<R>(&[]).unwrap();
        assert_eq!(empty, b"a,b\n");
    }

    /// A file read twice with one reader, from memory and from disk: each
    /// pass sees every row, the header is never taken for one.
    #[test]
    fn records_rewind_to_the_first_row() {
        #[derive(serde::Deserialize)]
        struct Row {
            a: u32,
        }
        let bytes = b"k,variant,a\nx,v,1\nx,v,2\ny,w,3\n".to_vec();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.csv");
        std::fs::write(&path, &bytes).unwrap();
        for content in [Content::Bytes(bytes), Content::File(path)] {
            let mut r = Records::open(&content, "s.csv").unwrap();
            assert_eq!(r.header(), ["k", "variant", "a"]);
            for _ in 0..2 {
                let mut seen = Vec::new();
                let n = r
                    .for_each(|k, row: Row| seen.push((k[0].1.clone(), row.a)))
                    .unwrap();
                assert_eq!(n, 3);
                assert_eq!(seen, [("x".into(), 1), ("x".into(), 2), ("y".into(), 3)]);
                r.rewind().unwrap();
            }
        }
    }

    /// The split header line and a csv reader agree, and a name that must
    /// be quoted still comes back whole.
    #[test]
    fn header_of_names_every_column() {
        assert_eq!(header_of(&R::default()).unwrap(), ["a", "b"]);
        #[derive(Serialize, Default)]
        struct Odd {
            #[serde(rename = "x,\"y\"")]
            x: u32,
            z: u32,
        }
        assert_eq!(header_of(&Odd::default()).unwrap(), ["x,\"y\"", "z"]);
    }
}
