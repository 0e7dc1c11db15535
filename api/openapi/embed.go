// Package openapi embeds the OpenAPI (Swagger 2.0) document that protoc-gen-openapiv2
// generates from proto/ (make generate); erpd serves it at /openapi.json.
package openapi

import _ "embed"

// Document is the merged OpenAPI document of every service.
//
//go:embed erphub.swagger.json
var Document []byte
