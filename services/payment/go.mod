module github.com/jangteo/jangteo/services/payment

go 1.26
