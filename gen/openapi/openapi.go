// Package openapi embeds the API documents generated from proto/.
package openapi

import _ "embed"

// Document is the OpenAPI 3.1 document for the whole REST API, served at
// /openapi.json: the Swagger 2.0 that buf generates, converted and completed
// (security, statuses, headers, constraints) by tools/openapi3.
//
//go:embed jangteo.openapi.json
var Document []byte

// Swagger is the Swagger 2.0 document buf generates, kept for tools that
// still read version 2.
//
//go:embed jangteo.swagger.json
var Swagger []byte
