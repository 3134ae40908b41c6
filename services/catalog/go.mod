module github.com/jangteo/jangteo/services/catalog

go 1.26
