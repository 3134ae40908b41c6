module github.com/jangteo/jangteo/services/community

go 1.26
