// Package openapi embeds the merged OpenAPI document generated from proto/.
package openapi

import _ "embed"

// Document is the OpenAPI v2 document for the whole REST API.
//
//go:embed jangteo.swagger.json
var Document []byte
