// Package mask reads update masks (AIP-134). Paths may be given as proto names
// ("shelf_life_days") or JSON names ("shelfLifeDays"); they are answered as proto names.
package mask

import (
	"slices"
	"strings"
	"unicode"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

// Set is a normalised update mask.
type Set []string

// identity names the resource and its version; they are never "changed", and the HTTP
// gateway puts them in the mask it infers from a body that carries them.
var identity = []string{"id", "etag"}

// From normalises a field mask. An empty mask means every populated field of resource
// (AIP-134's implied mask).
func From(m *fieldmaskpb.FieldMask, resource proto.Message) Set {
	var out Set
	if m != nil {
		for _, p := range m.Paths {
			for _, part := range strings.Split(p, ",") {
				if part = snake(strings.TrimSpace(part)); part != "" && !slices.Contains(identity, part) && !out.Has(part) {
					out = append(out, part)
				}
			}
		}
	}
	if len(out) == 0 && resource != nil {
		resource.ProtoReflect().Range(func(fd protoreflect.FieldDescriptor, _ protoreflect.Value) bool {
			if name := string(fd.Name()); !slices.Contains(identity, name) {
				out = append(out, name)
			}
			return true
		})
	}
	return out
}

// Has reports whether path is in the mask.
func (s Set) Has(path string) bool { return slices.Contains(s, path) }

// OutputOnly fields are ignored when a client sends them back (AIP-203).
var OutputOnly = []string{"create_time", "update_time", "archived"}

// Empty reports whether the mask names nothing to change.
func (s Set) Empty() bool {
	for _, p := range s {
		if !slices.Contains(OutputOnly, p) {
			return false
		}
	}
	return true
}

func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			b.WriteRune(unicode.ToLower(r))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
