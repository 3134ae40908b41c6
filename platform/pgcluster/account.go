package pgcluster

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// account is the OS user that initdb and postgres run as.
type account struct {
	uid, gid uint32
	groups   []uint32
	name     string
	home     string
	// switched is true when the account differs from ours, i.e. when we are
	// root and drop to the postgres user, which initdb and postgres insist on.
	switched bool
}

// currentAccount picks who runs the server: ourselves, unless we are root,
// in which case the postgres system user that Debian's packages create.
func currentAccount() (*account, error) {
	if os.Geteuid() != 0 {
		return &account{uid: uint32(os.Geteuid()), gid: uint32(os.Getegid())}, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, fmt.Errorf("pgcluster: running as root, and PostgreSQL refuses to run as root, "+
			"but there is no postgres system user to run it as (install the postgresql package): %w", err)
	}
	a := &account{name: u.Username, home: u.HomeDir, switched: true}
	uid, err := strconv.ParseUint(u.Uid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: uid of postgres: %w", err)
	}
	gid, err := strconv.ParseUint(u.Gid, 10, 32)
	if err != nil {
		return nil, fmt.Errorf("pgcluster: gid of postgres: %w", err)
	}
	a.uid, a.gid = uint32(uid), uint32(gid)
	// Supplementary groups matter: Debian gives postgres ssl-cert, and
	// without an explicit list the child would keep root's groups.
	gids, _ := u.GroupIds()
	for _, g := range gids {
		if n, err := strconv.ParseUint(g, 10, 32); err == nil {
			a.groups = append(a.groups, uint32(n))
		}
	}
	return a, nil
}

// credential is what exec needs to start a child as the account; nil keeps
// our own identity.
func (a *account) credential() *syscall.Credential {
	if !a.switched {
		return nil
	}
	return &syscall.Credential{Uid: a.uid, Gid: a.gid, Groups: a.groups}
}

// env is our environment with the identity variables fixed up, so the
// server never looks for files in root's home.
func (a *account) env() []string {
	if !a.switched {
		return os.Environ()
	}
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		k, _, _ := strings.Cut(kv, "=")
		return k == "HOME" || k == "USER" || k == "LOGNAME"
	})
	return append(env, "HOME="+a.home, "USER="+a.name, "LOGNAME="+a.name)
}

// prepareDir creates dir and its socket directory and, when the server runs
// as another user, hands them to it. The data directory itself is created by
// initdb; one that was copied or restored by another user is chowned back.
func prepareDir(dir string, a *account) error {
	// Parents are made searchable by everyone (as mkdir -p would) so the
	// postgres user can reach dir; dir itself stays private to its owner.
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("pgcluster: %w", err)
	}
	for _, p := range []string{dir, filepath.Join(dir, "run")} {
		if err := os.Mkdir(p, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	if !a.switched {
		return nil
	}
	if err := checkReachable(dir, a); err != nil {
		return err
	}
	for _, p := range []string{dir, filepath.Join(dir, "run")} {
		if err := os.Lchown(p, int(a.uid), int(a.gid)); err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
	}
	data := filepath.Join(dir, "data")
	if fi, err := os.Stat(data); err == nil && fi.Sys().(*syscall.Stat_t).Uid != a.uid {
		return chownTree(data, a)
	}
	return nil
}

// checkReachable fails, with a message that says what to do, when one of
// dir's ancestors does not let the account search it: the server would
// otherwise die with "permission denied" on its own data directory. A repo
// checked out under /root (mode 0700) is the usual case.
func checkReachable(dir string, a *account) error {
	for p := filepath.Dir(dir); ; p = filepath.Dir(p) {
		fi, err := os.Stat(p)
		if err != nil {
			return fmt.Errorf("pgcluster: %w", err)
		}
		if !canSearch(fi, a) {
			return fmt.Errorf("pgcluster: the %s user cannot reach %s because %s (mode %s) is not searchable by it; "+
				"PostgreSQL refuses to run as root, so it runs as %s: make that directory searchable (chmod o+x %s) "+
				"or put the data directory somewhere else",
				a.name, dir, p, fi.Mode().Perm(), a.name, p)
		}
		if p == filepath.Dir(p) {
			return nil
		}
	}
}

// canSearch applies the owner/group/other execute bits the way the kernel
// does for a directory. ACLs are not consulted; they are rare on the paths a
// repository lives in.
func canSearch(fi fs.FileInfo, a *account) bool {
	st := fi.Sys().(*syscall.Stat_t)
	mode := fi.Mode().Perm()
	switch {
	case st.Uid == a.uid:
		return mode&0o100 != 0
	case st.Gid == a.gid || slices.Contains(a.groups, st.Gid):
		return mode&0o010 != 0
	default:
		return mode&0o001 != 0
	}
}

// chownTree gives every file under root to the account.
func chownTree(root string, a *account) error {
	err := filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(a.uid), int(a.gid))
	})
	if err != nil {
		return fmt.Errorf("pgcluster: chown %s to %s: %w", root, a.name, err)
	}
	return nil
}
