module profdiff/samples/cycle

go 1.19
