package server

import (
	"encoding/json"
	"fmt"
)

// openAPIDocument adapts the generated OpenAPI document to what the gateway really sends:
// 64-bit integers are JSON numbers here (see jsonMarshaler), so their schemas become
// "type": "integer" instead of the string protoc-gen-openapiv2 writes.
func openAPIDocument(generated []byte) ([]byte, error) {
	var doc any
	if err := json.Unmarshal(generated, &doc); err != nil {
		return nil, fmt.Errorf("openapi document: %w", err)
	}
	fixInt64(doc)
	return json.MarshalIndent(doc, "", "  ")
}

func fixInt64(v any) {
	switch t := v.(type) {
	case map[string]any:
		if f, ok := t["format"].(string); ok && (f == "int64" || f == "uint64") && t["type"] == "string" {
			t["type"] = "integer"
		}
		for _, c := range t {
			fixInt64(c)
		}
	case []any:
		for _, c := range t {
			fixInt64(c)
		}
	}
}
