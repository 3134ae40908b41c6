module github.com/jangteo/jangteo/cmd/jangteo

go 1.26
