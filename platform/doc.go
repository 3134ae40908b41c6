// Package platform is the shared runtime of Jangteo's services. Its sub-packages
// give all six services one way to load config, log, serve gRPC, check access,
// map errors, use PostgreSQL, publish and consume events, and test against real
// PostgreSQL and NATS JetStream.
package platform
