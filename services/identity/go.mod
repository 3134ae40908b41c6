module github.com/jangteo/jangteo/services/identity

go 1.26
