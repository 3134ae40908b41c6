package natsembed

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"go.uber.org/zap"
)

// Cluster is a JetStream cluster of embedded servers on 127.0.0.1, for tests
// of what a production NATS cluster does: streams kept on three servers,
// and a server lost without losing a message.
type Cluster struct {
	Servers []*Server
}

// StartCluster starts n clustered JetStream servers keeping their stores
// under dir, and returns once they have elected a JetStream leader.
func StartCluster(n int, dir string, log *zap.Logger) (*Cluster, error) {
	if log == nil {
		log = zap.NewNop()
	}
	// The route ports are found free, then bound by the servers: on a busy
	// machine another socket may take one in between, so try new ones.
	for attempt := 1; ; attempt++ {
		c, err := startCluster(n, dir, log)
		if err == nil || attempt == 3 || !errors.Is(err, syscall.EADDRINUSE) && !strings.Contains(err.Error(), "address already in use") {
			return c, err
		}
		for i := range n { // a fresh store for each node
			_ = os.RemoveAll(filepath.Join(dir, "n"+strconv.Itoa(i+1)))
		}
	}
}

func startCluster(n int, dir string, log *zap.Logger) (*Cluster, error) {
	ports, err := freePorts(n)
	if err != nil {
		return nil, fmt.Errorf("natsembed: cluster: %w", err)
	}
	routes := make([]*url.URL, n)
	for i, p := range ports {
		routes[i] = &url.URL{Scheme: "nats", Host: "127.0.0.1:" + strconv.Itoa(p)}
	}
	c := &Cluster{}
	for i := range n {
		name := "n" + strconv.Itoa(i+1)
		s, err := startNode(name, filepath.Join(dir, name), log.Named(name),
			server.ClusterOpts{Name: "jangteo", Host: "127.0.0.1", Port: ports[i]}, routes)
		if err != nil {
			c.Shutdown()
			return nil, err
		}
		c.Servers = append(c.Servers, s)
	}
	if err := c.waitForQuorum(30 * time.Second); err != nil {
		c.Shutdown()
		return nil, fmt.Errorf("natsembed: cluster: %w", err)
	}
	return c, nil
}

// startNode starts one cluster member without waiting for JetStream, which
// is ready only once enough members have met.
func startNode(name, dir string, log *zap.Logger, cluster server.ClusterOpts, routes []*url.URL) (*Server, error) {
	s := &Server{}
	ns, err := server.NewServer(&server.Options{
		ServerName: name, Host: "127.0.0.1", Port: server.RANDOM_PORT,
		JetStream: true, StoreDir: dir, Cluster: cluster, Routes: routes, NoSigs: true,
	})
	if err != nil {
		return nil, fmt.Errorf("natsembed: %s: %w", name, err)
	}
	logger := &zapLogger{log: log.Sugar()}
	ns.SetLoggerV2(logger, false, false, false)
	s.ns = ns
	ns.Start()
	if err := waitReady(ns, logger); err != nil {
		s.Shutdown()
		return nil, fmt.Errorf("natsembed: %s: %w", name, err)
	}
	return s, nil
}

// ClientURL lists every member, so a client fails over when one is lost.
func (c *Cluster) ClientURL() string {
	urls := make([]string, 0, len(c.Servers))
	for _, s := range c.Servers {
		urls = append(urls, s.ClientURL())
	}
	return strings.Join(urls, ",")
}

// Shutdown stops every member.
func (c *Cluster) Shutdown() {
	for _, s := range c.Servers {
		s.Shutdown()
	}
}

// waitForQuorum waits until a JetStream leader is elected and knows every
// member as an online peer, so a stream can be placed on all of them.
func (c *Cluster) waitForQuorum(timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		for _, s := range c.Servers {
			if s.ns.JetStreamIsLeader() && len(s.ns.JetStreamClusterPeers()) == len(c.Servers) {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return errors.New("no JetStream leader with every member as a peer")
}

func freePorts(n int) ([]int, error) {
	ports := make([]int, 0, n)
	var lns []net.Listener
	defer func() {
		for _, ln := range lns {
			_ = ln.Close()
		}
	}()
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		lns = append(lns, ln)
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
