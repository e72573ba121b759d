module github.com/gmmkit/cramer/gen

go 1.24

require github.com/gmmkit/cramer v0.0.0

replace github.com/gmmkit/cramer => ../
