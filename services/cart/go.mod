module github.com/jangteo/jangteo/services/cart

go 1.26
