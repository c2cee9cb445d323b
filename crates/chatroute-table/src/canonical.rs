//! Canonical JSON, the form a table's hash is computed on: compact, every
//! object's keys sorted by code point, strings and numbers escaped and
//! written as `serde_json` (and Python's `json.dumps`, JavaScript's
//! `JSON.stringify`) write them.
//!
//! Written straight from any `Serialize` value, a table's body as compiled
//! or a JSON value as read, into one buffer: an object's entries go out as
//! they come and are put in order only when they came out of order (struct
//! fields do; `BTreeMap` entries never), keys compared as written.

use std::ops::Range;

use serde::Serialize;
use serde::ser;
use serde_json::Error;

/// The canonical form of `value`.
pub fn to_vec<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::new();
    // Plain data (string keys, finite numbers) always serialises.
    value.serialize(Canonical(&mut out)).expect("canonical JSON of plain data");
    out
}

struct Canonical<'a>(&'a mut Vec<u8>);

impl<'a> Canonical<'a> {
    fn scalar<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        serde_json::to_writer(self.0, value)
    }

    /// `{"variant":` before a variant's content; `}` closes it.
    fn open_variant(&mut self, variant: &str) -> Result<(), Error> {
        self.0.push(b'{');
        serde_json::to_writer(&mut *self.0, variant)?;
        self.0.push(b':');
        Ok(())
    }

    fn seq(self, close: &'static [u8]) -> Seq<'a> {
        self.0.push(b'[');
        Seq { out: self.0, first: true, close }
    }

    fn object(self, close: &'static [u8]) -> Object<'a> {
        self.0.push(b'{');
        let start = self.0.len();
        Object { out: self.0, start, entries: Vec::new(), pending: None, close }
    }
}

impl<'a> ser::Serializer for Canonical<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Seq<'a>;
    type SerializeTuple = Seq<'a>;
    type SerializeTupleStruct = Seq<'a>;
    type SerializeTupleVariant = Seq<'a>;
    type SerializeMap = Object<'a>;
    type SerializeStruct = Object<'a>;
    type SerializeStructVariant = Object<'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.scalar(&v)
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.scalar(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.scalar(v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.scalar(&())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.scalar(&())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.scalar(&())
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result<(), Error> {
        self.scalar(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open_variant(variant)?;
        value.serialize(Canonical(&mut *self.0))?;
        self.0.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Seq<'a>, Error> {
        Ok(self.seq(b"]"))
    }
    fn serialize_tuple(self, _len: usize) -> Result<Seq<'a>, Error> {
        Ok(self.seq(b"]"))
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Seq<'a>, Error> {
        Ok(self.seq(b"]"))
    }
    fn serialize_tuple_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Seq<'a>, Error> {
        self.open_variant(variant)?;
        Ok(self.seq(b"]}"))
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Object<'a>, Error> {
        Ok(self.object(b"}"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Object<'a>, Error> {
        Ok(self.object(b"}"))
    }
    fn serialize_struct_variant(
        mut self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Object<'a>, Error> {
        self.open_variant(variant)?;
        Ok(self.object(b"}}"))
    }
}

/// An array being written; `close` ends it (and the variant around it).
struct Seq<'a> {
    out: &'a mut Vec<u8>,
    first: bool,
    close: &'static [u8],
}

impl Seq<'_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if !std::mem::take(&mut self.first) {
            self.out.push(b',');
        }
        value.serialize(Canonical(&mut *self.out))
    }

    fn close(self) -> Result<(), Error> {
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// serde's four kinds of arrays are one here, as are its two kinds of
/// structs below: each trait forwards to the shared writer.
macro_rules! forward {
    ($writer:ident: $($trait:ident::$method:ident($($key:ident: $key_type:ty)?) => $write:ident;)*) => {$(
        impl ser::$trait for $writer<'_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, $($key: $key_type,)? value: &T) -> Result<(), Error> {
                self.$write($($key,)? value)
            }
            fn end(self) -> Result<(), Error> {
                self.close()
            }
        }
    )*};
}

forward! { Seq:
    SerializeSeq::serialize_element() => element;
    SerializeTuple::serialize_element() => element;
    SerializeTupleStruct::serialize_field() => element;
    SerializeTupleVariant::serialize_field() => element;
}

/// An object being written: each entry `"key":value` goes out as it
/// comes; `end` puts them in key order when they came out of order.
struct Object<'a> {
    out: &'a mut Vec<u8>,
    /// Where the entries begin, just after `{`.
    start: usize,
    /// Where each entry's key (a JSON string) and the entry were written.
    entries: Vec<(Range<usize>, Range<usize>)>,
    /// The entry begun by `serialize_key`: its start and its key.
    pending: Option<(usize, Range<usize>)>,
    close: &'static [u8],
}

impl Object<'_> {
    /// Writes `,` (after the first entry) and the key; the key's range.
    fn key<K: Serialize + ?Sized>(&mut self, key: &K) -> Result<(usize, Range<usize>), Error> {
        if !self.entries.is_empty() || self.pending.is_some() {
            self.out.push(b',');
        }
        let at = self.out.len();
        key.serialize(Canonical(&mut *self.out))?;
        if self.out.get(at) != Some(&b'"') {
            return Err(ser::Error::custom("object keys are strings"));
        }
        let key = at..self.out.len();
        self.out.push(b':');
        Ok((at, key))
    }

    fn value<T: Serialize + ?Sized>(&mut self, (at, key): (usize, Range<usize>), value: &T) -> Result<(), Error> {
        value.serialize(Canonical(&mut *self.out))?;
        self.entries.push((key, at..self.out.len()));
        Ok(())
    }

    fn entry<K: Serialize + ?Sized, T: Serialize + ?Sized>(&mut self, key: &K, value: &T) -> Result<(), Error> {
        let key = self.key(key)?;
        self.value(key, value)
    }

    fn close(mut self) -> Result<(), Error> {
        let out = &*self.out;
        let in_order = self.entries.is_sorted_by(|a, b| key_order(&out[a.0.clone()], &out[b.0.clone()]).is_le());
        if !in_order {
            let written = self.out.split_off(self.start);
            let at = |r: &Range<usize>| r.start - self.start..r.end - self.start;
            self.entries.sort_by(|a, b| key_order(&written[at(&a.0)], &written[at(&b.0)]));
            for (i, (_, entry)) in self.entries.iter().enumerate() {
                if i > 0 {
                    self.out.push(b',');
                }
                self.out.extend_from_slice(&written[at(entry)]);
            }
        }
        self.out.extend_from_slice(self.close);
        Ok(())
    }
}

/// The order of two keys written as JSON strings: by code point. Without
/// escapes, UTF-8 bytes between the quotes compare as code points do.
fn key_order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    if !a.contains(&b'\\') && !b.contains(&b'\\') {
        return a[1..a.len() - 1].cmp(&b[1..b.len() - 1]);
    }
    let text = |k: &[u8]| serde_json::from_slice::<String>(k).unwrap_or_default();
    text(a).cmp(&text(b))
}

impl ser::SerializeMap for Object<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.pending = Some(self.key(key)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        let key = self.pending.take().ok_or_else(|| ser::Error::custom("a map value without its key"))?;
        self.value(key, value)
    }
    fn serialize_entry<K: Serialize + ?Sized, V: Serialize + ?Sized>(
        &mut self,
        key: &K,
        value: &V,
    ) -> Result<(), Error> {
        self.entry(key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.close()
    }
}

forward! { Object:
    SerializeStruct::serialize_field(key: &'static str) => entry;
    SerializeStructVariant::serialize_field(key: &'static str) => entry;
}
