module github.com/jangteo/jangteo/gen/openapi

go 1.26.7
