package embedded

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

const childDirEnv = "EMBEDDED_DURABILITY_CHILD_DIR"

// ops is the child's write loop, one go-redis call each; "ack <i> <op>" is
// printed after call op of iteration i returned without error.
var ops = []func(c redis.UniversalClient, i int64) error{
	func(c redis.UniversalClient, i int64) error {
		return c.Set(ctx, key("k", i), "v"+strconv.FormatInt(i, 10), 24*time.Hour).Err()
	},
	func(c redis.UniversalClient, i int64) error { return c.Incr(ctx, "counter").Err() },
	func(c redis.UniversalClient, i int64) error { return c.RPush(ctx, "list", i).Err() },
	func(c redis.UniversalClient, i int64) error { return c.HSet(ctx, "h", key("f", i), i).Err() },
	func(c redis.UniversalClient, i int64) error {
		_, err := c.TxPipelined(ctx, func(p redis.Pipeliner) error {
			p.Incr(ctx, "pair:a")
			p.Incr(ctx, "pair:b")
			p.SAdd(ctx, "txset", i)
			return nil
		})
		return err
	},
}

func key(p string, i int64) string { return p + strconv.FormatInt(i, 10) }

// TestDurabilityChild is the process TestDurability kills; it does nothing
// unless started by it.
func TestDurabilityChild(t *testing.T) {
	dir := os.Getenv(childDirEnv)
	if dir == "" {
		t.Skip("helper process of TestDurability")
	}
	s, err := Open(ctx, dir, WithCompactBytes(8<<10), WithLogger(discardLogger()))
	if err != nil {
		fmt.Println("error open:", err)
		os.Exit(2)
	}
	c := s.Client()
	// Continue after the last RPUSH that survived; an iteration cut short
	// by the previous kill is redone.
	i, err := c.LLen(ctx, "list").Result()
	if err != nil {
		fmt.Println("error llen:", err)
		os.Exit(2)
	}
	for ; ; i++ {
		for op, f := range ops {
			if err := f(c, i); err != nil {
				fmt.Printf("error %d %d: %v\n", i, op, err)
				os.Exit(3)
			}
			fmt.Printf("ack %d %d\n", i, op)
		}
	}
}

// ledger records which calls the child acknowledged: acked[i] has bit op
// set once "ack i op" was read. A restarted child resumes after the last
// surviving RPUSH, so the calls of an iteration cut short may never be made;
// only acknowledged calls are checked.
type ledger struct {
	acked map[int64]uint8
	count [5]int // acknowledgements per op (INCR and the transaction can repeat)
}

func (l *ledger) has(i, op int64) bool { return l.acked[i]&(1<<op) != 0 }

func TestDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	const rounds = 5
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>32))
	dir := t.TempDir()
	led := &ledger{acked: map[int64]uint8{}}
	acks, losses, done := 0, 0, 0
	var gen uint64
	for round := 1; round <= rounds; round++ {
		done = round
		killAt := 100 + rng.IntN(2500)
		n, last := runAndKill(t, dir, killAt, led)
		acks += n
		var lost int
		lost, gen = verifyDurability(t, dir, led, round)
		losses += lost
		t.Logf("round %d: SIGKILL after %d acks (asked %d), last ack \"%s\", snapshot generation %d, losses %d",
			round, n, killAt, last, gen, lost)
		if losses > 0 {
			break
		}
	}
	// Every Open compacts once (child and verifier, from generation 0), so
	// the rest of the generations are compactions triggered by the journal
	// threshold while the child was writing (and being killed).
	t.Logf("durability: %d rounds, %d SIGKILLs, %d writes acknowledged, losses found = %d; %d threshold compactions during the runs (seed %d)",
		done, done, acks, losses, int(gen)-2*done, seed)
}

// runAndKill starts the child on dir, SIGKILLs it once it has printed killAt
// acks and returns how many acks it printed in total (the ones still in the
// pipe count: their calls had returned) and the highest one.
func runAndKill(t *testing.T, dir string, killAt int, led *ledger) (int, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestDurabilityChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childDirEnv+"="+dir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	must(t, err)
	must(t, cmd.Start())
	n, killed := 0, false
	last := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		var i, op int64
		if _, err := fmt.Sscanf(line, "ack %d %d", &i, &op); err != nil || op < 0 || op >= int64(len(ops)) {
			if strings.HasPrefix(line, "error") {
				t.Errorf("child: %s", line)
			}
			continue
		}
		n++
		led.acked[i] |= 1 << op
		led.count[op]++
		last = line
		if n == killAt {
			must(t, cmd.Process.Kill()) // SIGKILL
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("child exited before %d acks (%d): %v\n%s", killAt, n, err, stderr.String())
	}
	return n, last
}

// verifyDurability opens dir in-process and checks every acknowledged write
// of the child. It returns the number of violations and the generation the
// store opened at.
func verifyDurability(t *testing.T, dir string, led *ledger, kills int) (int, uint64) {
	t.Helper()
	s, err := Open(ctx, dir, WithLogger(discardLogger()))
	must(t, err)
	defer s.Close()
	gen := s.gen
	c := s.Client()
	lost := 0
	fail := func(format string, args ...any) {
		t.Helper()
		lost++
		if lost <= 10 {
			t.Errorf(format, args...)
		}
	}

	list := c.LRange(ctx, "list", 0, -1).Val()
	for j, v := range list { // each i exactly once, in order
		if v != strconv.Itoa(j) {
			fail("list[%d] = %s", j, v)
			break
		}
	}
	L := int64(len(list))
	counter, _ := c.Get(ctx, "counter").Int64()
	a, _ := c.Get(ctx, "pair:a").Int64()
	b, _ := c.Get(ctx, "pair:b").Int64()
	if a != b {
		fail("transaction split: pair:a=%d pair:b=%d", a, b)
	}
	// Every RPUSH follows an INCR of its iteration; each kill can add one
	// INCR whose iteration is redone. Double replay would break the bound.
	if counter < L || counter > L+int64(kills) {
		fail("counter %d with %d list entries after %d kills", counter, L, kills)
	}
	if counter < int64(led.count[1]) {
		fail("counter %d < %d acknowledged INCRs", counter, led.count[1])
	}
	if a < int64(led.count[4]) {
		fail("pair:a %d < %d acknowledged transactions", a, led.count[4])
	}
	for i := range led.acked {
		if led.has(i, 0) {
			if v := c.Get(ctx, key("k", i)).Val(); v != "v"+strconv.FormatInt(i, 10) {
				fail("k%d = %q", i, v)
			} else if d := c.PTTL(ctx, key("k", i)).Val(); d <= 0 || d > 24*time.Hour {
				fail("k%d PTTL %v", i, d)
			}
		}
		if led.has(i, 2) && L < i+1 {
			fail("list lost acked element %d (len %d)", i, L)
		}
		if led.has(i, 3) {
			if v := c.HGet(ctx, "h", key("f", i)).Val(); v != strconv.FormatInt(i, 10) {
				fail("h f%d = %q", i, v)
			}
		}
		if led.has(i, 4) && !c.SIsMember(ctx, "txset", i).Val() {
			fail("txset lacks acked %d", i)
		}
	}
	return lost, gen
}
