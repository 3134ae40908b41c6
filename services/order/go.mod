module github.com/jangteo/jangteo/services/order

go 1.26
