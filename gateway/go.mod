module github.com/jangteo/jangteo/gateway

go 1.26

require github.com/grpc-ecosystem/grpc-gateway/v2 v2.32.0
