package usage

import "sync"

// targetQueue hands the targets of a scan to its workers, in order, each
// once, keeping at most perAccount targets of one account and perRegion of
// one region in flight: a target held back by its account or region is
// passed over for the next one that may start, and taken as soon as it
// may. It is safe for concurrent use.
type targetQueue struct {
	targets               []Target
	perAccount, perRegion int

	mu       sync.Mutex
	cond     *sync.Cond
	taken    []bool
	first    int // every target before it is taken
	left     int // targets not taken
	accounts map[string]int
	regions  map[string]int
}

func newTargetQueue(targets []Target, perAccount, perRegion int) *targetQueue {
	q := &targetQueue{
		targets: targets, perAccount: max(perAccount, 1), perRegion: max(perRegion, 1),
		taken: make([]bool, len(targets)), left: len(targets),
		accounts: make(map[string]int), regions: make(map[string]int),
	}
	q.cond = sync.NewCond(&q.mu)
	return q
}

// next returns the index of the next target that may start and counts it
// in flight, waiting while every target left is held back by targets in
// flight; false when none is left. A worker that gets a target must call
// done with it.
func (q *targetQueue) next() (int, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for q.left > 0 {
		for q.first < len(q.taken) && q.taken[q.first] {
			q.first++
		}
		for i := q.first; i < len(q.targets); i++ {
			t := q.targets[i]
			if q.taken[i] || q.accounts[t.AccountID] >= q.perAccount || q.regions[t.Region] >= q.perRegion {
				continue
			}
			q.taken[i] = true
			q.left--
			q.accounts[t.AccountID]++
			q.regions[t.Region]++
			return i, true
		}
		// Every target left waits for one in flight, which will call done.
		q.cond.Wait()
	}
	return 0, false
}

// done counts the target i out of flight.
func (q *targetQueue) done(i int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	t := q.targets[i]
	if q.accounts[t.AccountID]--; q.accounts[t.AccountID] == 0 {
		delete(q.accounts, t.AccountID)
	}
	if q.regions[t.Region]--; q.regions[t.Region] == 0 {
		delete(q.regions, t.Region)
	}
	q.cond.Broadcast()
}
