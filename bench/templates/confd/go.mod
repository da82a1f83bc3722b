module switchboard/bench/confd

go 1.19
