package edu.niu.igait; public class App { public static void main(String[] a) {} }
