module github.com/jangteo/jangteo/gateway

go 1.26
