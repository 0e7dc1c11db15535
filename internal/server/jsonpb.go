package server

import (
	"encoding/base64"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/grpc-ecosystem/grpc-gateway/v2/runtime"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// jsonMarshaler is the gateway's JSON codec. It reads with protojson (unknown fields are
// refused, so a typo in a field name is an error rather than silently ignored) and writes
// like protojson with EmitUnpopulated, except that 64-bit integers are JSON numbers:
// money in fen and quantities in milli-units are numbers a client can add up. (protojson
// writes them as strings for the sake of values above 2^53, which no fen or milli amount
// in this system reaches.)
type jsonMarshaler struct {
	runtime.JSONPb
}

func newJSONMarshaler() *jsonMarshaler {
	return &jsonMarshaler{JSONPb: runtime.JSONPb{
		MarshalOptions:   protojson.MarshalOptions{EmitUnpopulated: true},
		UnmarshalOptions: protojson.UnmarshalOptions{DiscardUnknown: false},
	}}
}

// Marshal writes v as JSON.
func (j *jsonMarshaler) Marshal(v any) ([]byte, error) {
	if m, ok := v.(proto.Message); ok {
		return appendMessage(make([]byte, 0, 256), m.ProtoReflect())
	}
	return j.JSONPb.Marshal(v)
}

// NewEncoder returns an encoder that writes with Marshal.
func (j *jsonMarshaler) NewEncoder(w io.Writer) runtime.Encoder {
	return runtime.EncoderFunc(func(v any) error {
		b, err := j.Marshal(v)
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
}

// wellKnown are the message types whose JSON form is special; protojson writes them.
var wellKnown = map[protoreflect.FullName]bool{
	"google.protobuf.Any": true, "google.protobuf.Timestamp": true, "google.protobuf.Duration": true,
	"google.protobuf.FieldMask": true, "google.protobuf.Struct": true, "google.protobuf.Value": true,
	"google.protobuf.ListValue": true, "google.protobuf.Empty": true,
	"google.protobuf.BoolValue": true, "google.protobuf.Int32Value": true, "google.protobuf.UInt32Value": true,
	"google.protobuf.FloatValue": true, "google.protobuf.DoubleValue": true,
	"google.protobuf.StringValue": true, "google.protobuf.BytesValue": true,
}

func appendMessage(b []byte, m protoreflect.Message) ([]byte, error) {
	desc := m.Descriptor()
	switch name := desc.FullName(); {
	case name == "google.protobuf.Int64Value" || name == "google.protobuf.UInt64Value":
		return appendScalar(b, desc.Fields().ByNumber(1), m.Get(desc.Fields().ByNumber(1)))
	case name == "google.protobuf.Timestamp":
		if b2, ok := appendTimestamp(b, m); ok {
			return b2, nil
		}
		// out of range: protojson answers the error
		_, err := protojson.Marshal(m.Interface())
		return nil, err
	case wellKnown[name]:
		out, err := protojson.MarshalOptions{EmitUnpopulated: true}.Marshal(m.Interface())
		return append(b, out...), err
	}
	b = append(b, '{')
	fields := desc.Fields()
	first := true
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		has := m.Has(fd)
		if !has && fd.ContainingOneof() != nil {
			continue // like protojson: unset oneof members (and proto3 optionals) are left out
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendString(b, fd.JSONName())
		b = append(b, ':')
		var err error
		switch {
		case fd.IsList():
			b, err = appendList(b, fd, m.Get(fd).List())
		case fd.IsMap():
			b, err = appendMap(b, fd, m.Get(fd).Map())
		case fd.Message() != nil && !has:
			b = append(b, "null"...)
		default:
			b, err = appendValue(b, fd, m.Get(fd))
		}
		if err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendList(b []byte, fd protoreflect.FieldDescriptor, l protoreflect.List) ([]byte, error) {
	b = append(b, '[')
	for i := 0; i < l.Len(); i++ {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = appendValue(b, fd, l.Get(i)); err != nil {
			return nil, err
		}
	}
	return append(b, ']'), nil
}

func appendMap(b []byte, fd protoreflect.FieldDescriptor, mp protoreflect.Map) ([]byte, error) {
	type kv struct {
		k string
		v protoreflect.Value
	}
	entries := make([]kv, 0, mp.Len())
	mp.Range(func(k protoreflect.MapKey, v protoreflect.Value) bool {
		entries = append(entries, kv{k.String(), v})
		return true
	})
	slices.SortFunc(entries, func(a, b kv) int {
		switch {
		case a.k < b.k:
			return -1
		case a.k > b.k:
			return 1
		}
		return 0
	})
	b = append(b, '{')
	for i, e := range entries {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, e.k)
		b = append(b, ':')
		var err error
		if b, err = appendValue(b, fd.MapValue(), e.v); err != nil {
			return nil, err
		}
	}
	return append(b, '}'), nil
}

func appendValue(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) ([]byte, error) {
	if fd.Message() != nil {
		return appendMessage(b, v.Message())
	}
	return appendScalar(b, fd, v)
}

func appendScalar(b []byte, fd protoreflect.FieldDescriptor, v protoreflect.Value) ([]byte, error) {
	switch fd.Kind() {
	case protoreflect.BoolKind:
		return strconv.AppendBool(b, v.Bool()), nil
	case protoreflect.Int32Kind, protoreflect.Sint32Kind, protoreflect.Sfixed32Kind,
		protoreflect.Int64Kind, protoreflect.Sint64Kind, protoreflect.Sfixed64Kind:
		return strconv.AppendInt(b, v.Int(), 10), nil
	case protoreflect.Uint32Kind, protoreflect.Fixed32Kind, protoreflect.Uint64Kind, protoreflect.Fixed64Kind:
		return strconv.AppendUint(b, v.Uint(), 10), nil
	case protoreflect.FloatKind, protoreflect.DoubleKind:
		f := v.Float()
		switch {
		case math.IsNaN(f):
			return append(b, `"NaN"`...), nil
		case math.IsInf(f, 1):
			return append(b, `"Infinity"`...), nil
		case math.IsInf(f, -1):
			return append(b, `"-Infinity"`...), nil
		}
		bits := 64
		if fd.Kind() == protoreflect.FloatKind {
			bits = 32
		}
		return strconv.AppendFloat(b, f, 'g', -1, bits), nil
	case protoreflect.StringKind:
		return appendString(b, v.String()), nil
	case protoreflect.BytesKind:
		b = append(b, '"')
		b = base64.StdEncoding.AppendEncode(b, v.Bytes())
		return append(b, '"'), nil
	case protoreflect.EnumKind:
		if fd.Enum().FullName() == "google.protobuf.NullValue" {
			return append(b, "null"...), nil
		}
		if ev := fd.Enum().Values().ByNumber(v.Enum()); ev != nil {
			return appendString(b, string(ev.Name())), nil
		}
		return strconv.AppendInt(b, int64(v.Enum()), 10), nil
	}
	return append(b, "null"...), nil
}

const hexDigits = "0123456789abcdef"

// appendTimestamp writes a Timestamp as protojson does (RFC 3339 in UTC, with 0, 3, 6 or 9
// fractional digits), without protojson's per-call set-up: inbox pages carry hundreds.
// ok is false outside protojson's range (years 1–9999, nanos 0–999,999,999).
func appendTimestamp(b []byte, m protoreflect.Message) ([]byte, bool) {
	fields := m.Descriptor().Fields()
	secs, nanos := m.Get(fields.ByNumber(1)).Int(), m.Get(fields.ByNumber(2)).Int()
	const minSecs, maxSecs = -62135596800, 253402300799 // 0001-01-01 and 9999-12-31T23:59:59
	if secs < minSecs || secs > maxSecs || nanos < 0 || nanos > 999_999_999 {
		return b, false
	}
	t := time.Unix(secs, nanos).UTC()
	b = append(b, '"')
	b = t.AppendFormat(b, "2006-01-02T15:04:05")
	switch {
	case nanos == 0:
	case nanos%1_000_000 == 0:
		b = fmt.Appendf(b, ".%03d", nanos/1_000_000)
	case nanos%1_000 == 0:
		b = fmt.Appendf(b, ".%06d", nanos/1_000)
	default:
		b = fmt.Appendf(b, ".%09d", nanos)
	}
	return append(b, 'Z', '"'), true
}

// appendString writes s as a JSON string (no HTML escaping, like protojson).
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case c < 0x20:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			default:
				b = append(b, c)
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return append(b, '"')
}
