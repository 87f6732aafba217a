"""Course-exact synthetic data, its file formats, and in-memory datasets."""
