module profdiff/samples/labels

go 1.19
